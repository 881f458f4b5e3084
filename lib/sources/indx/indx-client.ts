import { SourceError } from '../../ports/source-error';
import type { IndxBalance } from '../../ports/venues';
import type { Secret } from '../../secret';
import { parseAnswer } from '../answer-schema';
import type { DriftLog } from '../drift';
import { JsonClient } from '../http/json-client';
import { type PacedHttpOptions, pacedClientOptions } from '../http/paced-json-client';
import { knownFieldsOf } from '../known-fields';
import { RequestGates, systemClock } from '../pacing/request-gate';
import { INDX_WRONG_WMID, indxCodeDescription, indxCodeError } from './indx-error-codes';
import { indxEnvelopeSchema, indxSuccessSchema } from './schemas';
import { indxSignature } from './signature';

/** The language of INDX's messages; it is part of the signature. */
export type IndxCulture = 'en-EN' | 'ru-RU';

const ENDPOINT = 'Balance';
const PATH = '/api/v2/trade/Balance';
/** Every level of the answer: `{code, desc, value}`, `value`, `value.balance`, `value.portfolio[]`, `value.profit[]`. */
const ANSWER_FIELDS = knownFieldsOf(indxSuccessSchema);

/** A trader's API credentials and the culture it signs with (all three are in the signature). */
export interface IndxTraderCredentials {
  login: Secret;
  password: Secret;
  culture: IndxCulture;
}

/** The HTTP side of an {@link IndxClient}: one connection, and a request gate per WMID (absent: unpaced). */
export interface IndxHttp {
  client: JsonClient;
  gates?: RequestGates;
}

/**
 * The INDX trading API adapter: the `Balance` method, signed per call with the trader's own
 * credentials and culture (the document: login and password are "obtained by the Trader", and the
 * signature covers `Login;Password;Culture;Wmid`). Amounts are JSON numbers read digit for digit;
 * every non-zero execution code becomes a typed result (−3) or an `upstream-error` whose message
 * comes from the document's table, so login, password and signature never appear in what it throws.
 */
export class IndxClient {
  constructor(
    private readonly http: IndxHttp,
    private readonly drift?: DriftLog,
  ) {}

  /** `POST /api/v2/trade/Balance` for one WMID. */
  async balance(wmid: string, credentials: IndxTraderCredentials): Promise<IndxBalance> {
    const body = await this.http.client.request({
      endpoint: ENDPOINT,
      method: 'POST',
      path: PATH,
      body: { ApiContext: apiContext(wmid, credentials) },
      exactNumbers: true,
      gate: this.http.gates?.of(wmid),
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
}

/** The signed `ApiContext`; the only place the credentials are revealed. */
function apiContext(wmid: string, { login: loginSecret, password: passwordSecret, culture }: IndxTraderCredentials) {
  const login = loginSecret.reveal();
  const password = passwordSecret.reveal();
  return { Login: login, Password: password, Wmid: wmid, Culture: culture, Signature: indxSignature(login, password, culture, wmid) };
}

/** How often to call INDX: one call per `minIntervalMs` per WMID (the API allows about one a second per WMID). */
export interface IndxHttpOptions extends PacedHttpOptions {
  minIntervalMs?: number;
}

/**
 * The {@link IndxHttp} an {@link IndxClient} needs: one connection (traders are read one at a
 * time), and the calls for each WMID started at least `minIntervalMs` (default 1100) apart — the
 * probe and a trader's own read, retries included — each WMID's gate held after a 429.
 *
 * @example indxHttp({ baseUrl, timeoutMs: 5_000, retries: 2 })
 */
export function indxHttp(options: IndxHttpOptions): IndxHttp {
  return {
    client: new JsonClient(pacedClientOptions('indx', options)),
    gates: new RequestGates(options.minIntervalMs ?? 1100, options.clock ?? systemClock),
  };
}
