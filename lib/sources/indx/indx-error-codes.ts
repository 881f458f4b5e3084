import { SourceError } from '../../ports/source-error';

/** What one INDX execution code means and whether the same call may succeed later. */
export interface IndxCode {
  description: string;
  retryable: boolean;
}

/**
 * The execution codes of the INDX document (0 to −10). Outages and internal errors (−1, −7 … −10)
 * may pass; a refused login or signature, a bad date or instrument (−2, −4, −5, −6) will not.
 */
export const INDX_CODES: Readonly<Record<number, IndxCode>> = {
  0: { description: 'request successfully completed', retryable: false },
  [-1]: { description: 'service stopped', retryable: true },
  [-2]: { description: 'access denied', retryable: false },
  [-3]: { description: "wrong Trader's WMID", retryable: false },
  [-4]: { description: 'incorrect request signature', retryable: false },
  [-5]: { description: 'incorrect date', retryable: false },
  [-6]: { description: 'nonexistent instrument ID', retryable: false },
  [-7]: { description: 'web-service call resulted in an error', retryable: true },
  [-8]: { description: 'internal error', retryable: true },
  [-9]: { description: 'unknown error', retryable: true },
  [-10]: { description: 'unknown error', retryable: true },
};

/** The code INDX answers for a WMID it does not know: a typed "not found", not a failure. */
export const INDX_WRONG_WMID = -3;

/** Codes that refuse the trader's credentials (access denied, signature): each trader has its own, so they concern that trader only. */
const CREDENTIAL_CODES: ReadonlySet<number> = new Set([-2, -4]);

/** The document's description of `code`, or `undocumented code` for one outside the table. */
export function indxCodeDescription(code: number): string {
  return INDX_CODES[code]?.description ?? 'undocumented code';
}

/**
 * The error for a non-zero execution code. The message is built from the document's table
 * only — never from the answer's `desc`, which could echo what was sent (login, signature).
 * A refusal of the credentials (−2, −4) is the trader's alone (`accountOnly`).
 *
 * @example indxCodeError('Balance', -4).message // 'indx Balance: upstream-error: code -4: incorrect request signature'
 */
export function indxCodeError(endpoint: string, code: number): SourceError {
  return new SourceError('indx', endpoint, 'upstream-error', `code ${code}: ${indxCodeDescription(code)}`, {
    retryable: INDX_CODES[code]?.retryable ?? false,
    ...(CREDENTIAL_CODES.has(code) && { scope: 'account' as const }),
  });
}
