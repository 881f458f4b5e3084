import type { IncomingMessage, ServerResponse } from 'node:http';
import { type JsonValue, parseJsonLossless, writeJson } from './json-text';

/** A request as the sandbox's route handlers see it (body already read, not yet parsed). */
export interface SandboxRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  remoteAddress: string;
}

/** A handler's answer: status, extra headers and the exact body text. */
export interface SandboxResponse {
  status: number;
  headers?: Readonly<Record<string, string>>;
  body: string;
}

/** Largest request body the sandbox reads before answering 413. */
export const MAX_BODY_BYTES = 8 * 1_048_576;

/** Thrown while reading a body larger than `MAX_BODY_BYTES`. */
export class BodyTooLargeError extends Error {}

/** Reads the whole request body as UTF-8, refusing bodies over `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(`request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

/** A JSON answer written by hand (exact number literals survive). */
export function json(status: number, value: JsonValue, headers?: Readonly<Record<string, string>>): SandboxResponse {
  return headers ? { status, body: writeJson(value), headers } : { status, body: writeJson(value) };
}

/** The sandbox's generic JSON error answer: `{"error": message}`. */
export function jsonError(status: number, message: string): SandboxResponse {
  return json(status, { error: message });
}

/** Result of parsing a request body as JSON. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses a request body as lossless JSON (an empty body counts as malformed). */
export function parseBody(body: string): ParsedBody {
  if (body.trim() === '') return { ok: false, message: 'Malformed JSON: empty request body' };
  try {
    return { ok: true, value: parseJsonLossless(body) };
  } catch (err) {
    return { ok: false, message: `Malformed JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The bearer token of the `Authorization` header, if any. */
export function bearerToken(req: SandboxRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** A single header value (the first one when repeated). */
export function headerValue(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Writes a handler's answer to the node response. */
export function send(res: ServerResponse, answer: SandboxResponse): void {
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(answer.body)),
    ...answer.headers,
  });
  res.end(answer.body);
}
