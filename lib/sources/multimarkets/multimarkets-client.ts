import { randomUUID } from 'node:crypto';
import { SourceError } from '../../ports/source-error';
import type { MultiMarketsAccountRef, MultiMarketsBalance } from '../../ports/venues';
import { parseAnswer } from '../answer-schema';
import type { DriftLog } from '../drift';
import type { JsonClient } from '../http/json-client';
import { type PacedHttpOptions, pacedJsonClient } from '../http/paced-json-client';
import { knownFieldsOf } from '../known-fields';
import { multiMarketsEnvelopeSchema } from './schemas';

/** Knobs of {@link MultiMarketsClient}; the defaults are for production. */
export interface MultiMarketsClientOptions {
  /** Source of the `timestamp` header (epoch ms). */
  clock?: { now(): number };
  /** Source of the `trace` header, one per balance read. */
  newTrace?: () => string;
  /** Envelope codes that mean "no such account" (the sandbox's is `20001`; the document leaves it open). */
  notFoundCodes?: string[];
  /** Where fields the document does not name are counted; left out, nothing is counted. */
  drift?: DriftLog;
}

const ENDPOINT = 'get-user-amount';
const PATH = '/api/cats-gateway/get-user-amount';
/** Upstream messages are echoed into errors; a runaway one is cut. */
const MAX_MESSAGE = 200;
/** The envelope's fields and those of its `data`, from the schema (success and failure shapes together). */
const ENVELOPE_FIELDS = knownFieldsOf(multiMarketsEnvelopeSchema);

/**
 * The MultiMarkets Webhook API adapter: reads one currency account's balance. It never retries
 * or paces by itself — the {@link JsonClient} it is given does both (see {@link multiMarketsHttp}),
 * so there is exactly one retry layer and no call can slip past the gate into a 429 penalty.
 */
export class MultiMarketsClient {
  private readonly clock: { now(): number };
  private readonly newTrace: () => string;
  private readonly notFoundCodes: ReadonlySet<string>;
  private readonly drift: DriftLog | undefined;

  constructor(
    private readonly http: JsonClient,
    private readonly companyId: string,
    options: MultiMarketsClientOptions = {},
  ) {
    this.clock = options.clock ?? Date;
    this.newTrace = options.newTrace ?? randomUUID;
    this.notFoundCodes = new Set(options.notFoundCodes ?? ['20001']);
    this.drift = options.drift;
  }

  /**
   * `POST /api/cats-gateway/get-user-amount` for one account. An unknown account is a typed
   * `found: false`; any other refusal is a non-retryable `upstream-error` naming code and message.
   */
  async balance(account: MultiMarketsAccountRef): Promise<MultiMarketsBalance> {
    const body = await this.http.request({
      endpoint: ENDPOINT,
      method: 'POST',
      path: PATH,
      headers: this.headers(),
      body: { thirdServerCode: account.thirdServerCode, userName: account.userName, currency: account.currency },
    });
    this.drift?.inspectAnswer('multimarkets', ENDPOINT, body, ENVELOPE_FIELDS);
    const envelope = parseAnswer(multiMarketsEnvelopeSchema, body, 'multimarkets', ENDPOINT);
    if (!envelope.ok) {
      const code = envelope.code ?? envelope.bizCode ?? '(none)';
      const message = (envelope.msg ?? '').slice(0, MAX_MESSAGE);
      if (this.notFoundCodes.has(code)) return { found: false, code, message };
      throw new SourceError('multimarkets', ENDPOINT, 'upstream-error', `code ${code}: ${message}`, { retryable: false });
    }
    const { data } = envelope;
    if (data.userName !== account.userName || data.currency.toUpperCase() !== account.currency.toUpperCase()) {
      throw new SourceError('multimarkets', ENDPOINT, 'upstream-error', 'answered for another user_name or currency than asked', {
        retryable: false,
      });
    }
    return { found: true, ...data };
  }

  /**
   * The request headers. `timestamp` is a getter: the JsonClient spreads the headers when it
   * actually sends (after the gate's wait, and again on each retry), so the upstream sees the
   * send time, not the time the read was queued minutes earlier.
   */
  private headers(): Record<string, string> {
    const clock = this.clock;
    return {
      trace: this.newTrace(),
      companyId: this.companyId,
      get timestamp() {
        return String(Math.floor(clock.now()));
      },
    };
  }
}

/** How hard to press MultiMarkets: at most `ratePerMinute` calls a minute (the platform allows ~100). */
export interface MultiMarketsHttpOptions extends PacedHttpOptions {
  ratePerMinute: number;
}

/**
 * The {@link JsonClient} a {@link MultiMarketsClient} needs: one call at a time, starts
 * `60_000 / ratePerMinute` ms apart, held after a 429 until `Retry-After` — calling during that
 * penalty is what gets the IP banned (418).
 *
 * @example multiMarketsHttp({ baseUrl, ratePerMinute: 90, timeoutMs: 5_000, retries: 3 })
 */
export function multiMarketsHttp(options: MultiMarketsHttpOptions): JsonClient {
  const { ratePerMinute } = options;
  if (!(ratePerMinute > 0 && ratePerMinute <= 100)) {
    throw new RangeError(`ratePerMinute must be in (0, 100] (MultiMarkets allows ~100 a minute), got ${ratePerMinute}`);
  }
  return pacedJsonClient('multimarkets', 60_000 / ratePerMinute, options);
}
