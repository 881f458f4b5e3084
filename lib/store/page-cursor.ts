import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { BadRequestError } from '../errors';
import type { Page } from '../ports/page';
import { queryPages } from './batch';

/** A cursor that is not one of ours: the caller's mistake, named as the query parameter. */
const notACursor = (cause?: unknown) => new BadRequestError(['query.cursor: not a cursor from a previous page'], { cause });

/** A page cursor: DynamoDB's start key, as an opaque string. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * A page cursor back into DynamoDB's start key, which must name each of `keyNames` (the keys of the table or index
 * it pages); anything that is not one is the caller's mistake ({@link BadRequestError}).
 */
export function decodeCursor(cursor: string, keyNames: readonly string[]): Record<string, unknown> {
  const keySchema = z.looseObject(Object.fromEntries(keyNames.map((name) => [name, z.string()])));
  try {
    const key = keySchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (key.success) return key.data;
  } catch (error) {
    throw notACursor(error);
  }
  throw notACursor();
}

/** How a list pages: how many items, from where, and the key attributes of the table or index it reads. */
export interface PageRequest {
  limit: number;
  cursor?: string;
  /** The keys of the table and the index (all strings): a cursor is checked against them, the next one made of them. */
  keyNames: readonly string[];
}

/**
 * One page of a Query of up to `page.limit` items, from where `page.cursor` left off: the one paging loop of the
 * API's lists. A page a filter thins out is filled from the next ones; when that overshoots, the cursor is the key
 * of the last item kept, so no item is skipped.
 */
export async function queryPage<T>(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  page: PageRequest,
  parse: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const items: Record<string, unknown>[] = [];
  let next: Record<string, unknown> | undefined;
  const start = page.cursor ? decodeCursor(page.cursor, page.keyNames) : undefined;
  try {
    for await (const answer of queryPages(client, { ...input, Limit: page.limit, ExclusiveStartKey: start })) {
      items.push(...(answer.Items ?? []));
      next = answer.LastEvaluatedKey;
      if (items.length >= page.limit) break;
    }
  } catch (error) {
    // A cursor that decodes but names no real position: still the caller's mistake.
    if (start && error instanceof Error && error.name === 'ValidationException') throw notACursor(error);
    throw error;
  }
  const kept = items.slice(0, page.limit);
  const last = kept.at(-1);
  if (items.length > page.limit && last) next = Object.fromEntries(page.keyNames.map((name) => [name, last[name]]));
  return { items: kept.map(parse), ...(next ? { cursor: encodeCursor(next) } : {}) };
}
