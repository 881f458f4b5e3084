import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../lib/log';
import { Secret } from '../../lib/secret';

/** The JSON lines written to stdout and stderr while `act` runs. */
function linesOf(act: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    act();
  } finally {
    vi.restoreAllMocks();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

describe('createLogger', () => {
  it('never writes a secret, wherever it sits in the fields', () => {
    const lines = linesOf(() =>
      createLogger('debug').error('upstream refused', {
        token: new Secret('tok-123'),
        nested: { password: new Secret('pw-456') },
        list: [new Secret('k-789')],
      }),
    );
    const text = JSON.stringify(lines);
    for (const value of ['tok-123', 'pw-456', 'k-789']) expect(text).not.toContain(value);
    expect(lines[0]).toMatchObject({
      level: 'ERROR',
      message: 'upstream refused',
      token: '[redacted]',
      nested: { password: '[redacted]' },
      list: ['[redacted]'],
    });
  });

  it('writes one JSON line per entry with the service, and keys appended for the rest of the invocation', () => {
    const log = createLogger('info');
    const lines = linesOf(() => {
      log.appendKeys({ runId: 'r-1', shard: 2 });
      log.info('shard started');
      log.warn('source slow', { source: 'reporting' });
    });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'shard started', service: 'balance-recon', runId: 'r-1', shard: 2 }),
      expect.objectContaining({ level: 'WARN', message: 'source slow', source: 'reporting', runId: 'r-1' }),
    ]);
  });

  it('writes nothing below its level', () => {
    expect(linesOf(() => createLogger('warn').info('progress', { users: 10 }))).toEqual([]);
  });
});
