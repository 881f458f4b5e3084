import { createHash } from 'node:crypto';
import { SANDBOX_BACKOFFICE_TOKEN, SANDBOX_REPORTING_TOKEN } from '../../sandbox/credentials';

/** Request headers of the back office and of Reporting, with the sandbox's tokens. */
export const backOfficeHeaders = { authorization: `Bearer ${SANDBOX_BACKOFFICE_TOKEN}`, 'content-type': 'application/json' };
export const reportingHeaders = { authorization: `Bearer ${SANDBOX_REPORTING_TOKEN}`, 'content-type': 'application/json' };

/** Base64 of SHA-256, as INDX signs its requests. */
export const sha256Base64 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

/** A sandbox answer: status, text, headers and, when the body is JSON, its value. */
export interface Answer {
  status: number;
  text: string;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test reads loosely shaped JSON answers
  json: any;
}

/** One HTTP call to the sandbox at `url`; a string body is sent as is, anything else as JSON. */
export async function callSandbox(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  signal?: AbortSignal,
): Promise<Answer> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, headers: res.headers, json };
}
