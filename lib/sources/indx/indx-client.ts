import type { Amount } from '../../domain/money';
import type { Secret } from '../../secret';
import { parseAnswer } from '../answer-schema';
import type { DriftLog } from '../drift';
import type { JsonClient } from '../http/json-client';
import { knownFieldsOf } from '../known-fields';
import { type PacedHttpOptions, pacedJsonClient } from '../pacing/request-gate';
import { SourceError } from '../source-error';
import { INDX_WRONG_WMID, indxCodeDescription, indxCodeError } from './indx-error-codes';
import { type IndxInstrument, indxEnvelopeSchema, indxSuccessSchema } from './schemas';
import { indxSignature } from './signature';

/** The language of INDX's messages; it is part of the signature. */
export type IndxCulture = 'en-EN' | 'ru-RU';

/** What INDX says about one trader: `wmz` and portfolio, exact, or that the WMID is wrong (code −3). */
export type IndxBalance =
  | { found: true; wmid: string; nickname: string; wmz: Amount; price: Amount; portfolio: IndxInstrument[] }
  | { found: false; code: typeof INDX_WRONG_WMID; message: string };

const ENDPOINT = 'Balance';
const PATH = '/api/v2/trade/Balance';
/** Every level of the answer: `{code, desc, value}`, `value`, `value.balance`, `value.portfolio[]`, `value.profit[]`. */
const ANSWER_FIELDS = knownFieldsOf(indxSuccessSchema);

/**
 * The INDX trading API adapter: the `Balance` method, signed per call. Amounts are JSON numbers
 * read digit for digit; every non-zero execution code becomes a typed result (−3) or an
 * `upstream-error` whose message comes from the document's table, so login, password and
 * signature never appear in what it throws.
 */
export class IndxClient {
  private readonly culture: IndxCulture;
  private readonly drift: DriftLog | undefined;

  constructor(
    private readonly http: JsonClient,
    private readonly credentials: { login: Secret; password: Secret },
    options: { culture?: IndxCulture; drift?: DriftLog } = {},
  ) {
    this.culture = options.culture ?? 'en-EN';
    this.drift = options.drift;
  }

  /** `POST /api/v2/trade/Balance` for one WMID. */
  async balance(wmid: string): Promise<IndxBalance> {
    const body = await this.http.request({
      endpoint: ENDPOINT,
      method: 'POST',
      path: PATH,
      body: { ApiContext: this.apiContext(wmid) },
      exactNumbers: true,
    });
    this.drift?.inspectAnswer('indx', ENDPOINT, body, ANSWER_FIELDS);
    const { code } = parseAnswer(indxEnvelopeSchema, body, 'indx', ENDPOINT);
    if (code === INDX_WRONG_WMID) return { found: false, code, message: indxCodeDescription(code) };
    if (code !== 0) throw indxCodeError(ENDPOINT, code);
    const { value: trader } = parseAnswer(indxSuccessSchema, body, 'indx', ENDPOINT);
    if (trader.wmid !== wmid) {
      throw new SourceError('indx', ENDPOINT, 'upstream-error', 'answered for another WMID than asked', { retryable: false });
    }
    return {
      found: true,
      wmid: trader.wmid,
      nickname: trader.nickname,
      wmz: trader.balance.wmz,
      price: trader.balance.price,
      portfolio: trader.portfolio,
    };
  }

  /** The signed `ApiContext`; the only place the credentials are revealed. */
  private apiContext(wmid: string) {
    const login = this.credentials.login.reveal();
    const password = this.credentials.password.reveal();
    return {
      Login: login,
      Password: password,
      Wmid: wmid,
      Culture: this.culture,
      Signature: indxSignature(login, password, this.culture, wmid),
    };
  }
}

/** How often to call INDX: one call per `minIntervalMs` (the API allows about one a second per WMID). */
export interface IndxHttpOptions extends PacedHttpOptions {
  minIntervalMs?: number;
}

/**
 * The {@link JsonClient} an {@link IndxClient} needs: one call at a time, starts at least
 * `minIntervalMs` (default 1100) apart for all WMIDs together, held after a 429.
 *
 * @example indxHttp({ baseUrl, timeoutMs: 5_000, retries: 2 })
 */
export function indxHttp(options: IndxHttpOptions): JsonClient {
  return pacedJsonClient('indx', options.minIntervalMs ?? 1100, options);
}
