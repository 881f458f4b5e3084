import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { VenueCheckLog, VenueSource } from '../ports/venues';
import { batchGetAll } from './batch';

/** Default buckets per venue: 32 × ~300 KB holds ~150,000 keys, more than MultiMarkets' 100 calls a minute can check in a day. */
export const VENUE_LOG_BUCKETS = 32;
/** Keys set by one update: keeps the update expression well under DynamoDB's 4 KB limit. */
const KEYS_PER_UPDATE = 100;

/**
 * Keeps when each venue account was last checked in the runs table, as a few items per venue
 * (`runId = venuecheck#<venue>#<bucket>`), each holding a map `checked` of account key → ISO
 * time. An account's bucket is a hash of its key, so the items stay about the same size and none
 * nears DynamoDB's 400 KB item limit; marking sets only the map entries of the accounts checked,
 * so it needs no read and loses no concurrent mark.
 */
export class DynamoDbVenueCheckLog implements VenueCheckLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly buckets = VENUE_LOG_BUCKETS,
  ) {
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a whole number ≥ 1, got ${buckets}`);
  }

  async lastChecked(source: VenueSource): Promise<Map<string, string>> {
    const checked = new Map<string, string>();
    const keys = Array.from({ length: this.buckets }, (_, bucket) => ({ runId: bucketId(source, bucket) }));
    for (const item of await batchGetAll(this.client, this.table, keys, { consistentRead: true })) {
      for (const [key, at] of Object.entries((item.checked ?? {}) as Record<string, unknown>)) {
        if (typeof at === 'string') checked.set(key, at);
      }
    }
    return checked;
  }

  async markChecked(source: VenueSource, keys: string[], at: string): Promise<void> {
    const byBucket = new Map<number, string[]>();
    for (const key of keys) {
      const bucket = bucketOf(key, this.buckets);
      const group = byBucket.get(bucket);
      if (group) group.push(key);
      else byBucket.set(bucket, [key]);
    }
    for (const [bucket, bucketKeys] of byBucket) {
      for (let start = 0; start < bucketKeys.length; start += KEYS_PER_UPDATE) {
        await this.setTimes(bucketId(source, bucket), bucketKeys.slice(start, start + KEYS_PER_UPDATE), at);
      }
    }
  }

  /** Sets `checked.<key> = at` for each key; the first mark of a bucket creates its item. */
  private async setTimes(runId: string, keys: string[], at: string): Promise<void> {
    const update = () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { runId },
          UpdateExpression: `SET ${keys.map((_, index) => `#checked.#k${index} = :at`).join(', ')}`,
          // A nested SET needs the map to exist; without it, fail cleanly here instead of on the path.
          ConditionExpression: 'attribute_exists(#checked)',
          ExpressionAttributeNames: { '#checked': 'checked', ...Object.fromEntries(keys.map((key, index) => [`#k${index}`, key])) },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    try {
      await update();
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.client
        .send(new PutCommand({ TableName: this.table, Item: { runId, checked: {} }, ConditionExpression: 'attribute_not_exists(runId)' }))
        .catch((created: unknown) => {
          // Another writer created it first: just as good.
          if (!(created instanceof ConditionalCheckFailedException)) throw created;
        });
      await update();
    }
  }
}

/** The runs-table id of one bucket of a venue's log. */
function bucketId(source: VenueSource, bucket: number): string {
  return `venuecheck#${source}#${bucket}`;
}

/** The bucket of a key: the first 32 bits of its MD5 (spread evenly however alike the keys are), modulo the bucket count. */
export function bucketOf(key: string, buckets: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % buckets;
}
