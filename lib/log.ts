/** Log levels in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A structured logger: one JSON line per entry, for CloudWatch Logs Insights. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Creates a JSON-lines logger at `level`. Fields are serialised with `JSON.stringify`, so a
 * {@link import('./secret').Secret} prints as `[redacted]`.
 */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => console.log(line)): Logger {
  const at =
    (entryLevel: LogLevel) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[entryLevel] < ORDER[level]) return;
      write(JSON.stringify({ level: entryLevel, time: new Date().toISOString(), message, ...fields }));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
