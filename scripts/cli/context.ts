import type { ReconApi } from './api-client';
import type { MaybeTty } from './progress';

/**
 * What every command receives: the API (the HTTP client, or an in-memory one in tests), where to
 * write (results on `out`, progress and notices on `err`) and whether to print JSON.
 */
export interface CommandContext {
  api: ReconApi;
  out: NodeJS.WritableStream;
  err: MaybeTty;
  /** Print the API's JSON, one document, instead of tables. */
  json: boolean;
}

/** A command's outcome: the process exit code (0 success, 1 error, 2 and 3 a run's partial or failed result). */
export type ExitCode = number;

/** One JSON document as `--json` prints it: indented, ended by a newline. */
export function jsonDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Writes one JSON document. */
export function printJson(out: NodeJS.WritableStream, document: unknown): void {
  out.write(jsonDocument(document));
}
