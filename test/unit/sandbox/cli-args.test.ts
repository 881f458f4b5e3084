import { describe, expect, it } from 'vitest';
import { parseSandboxArgs } from '../../../sandbox/cli-args';

describe('the sandbox CLI arguments', () => {
  it('defaults to 60 users, seed 42, 127.0.0.1 and port 4010, or $SANDBOX_PORT when set', () => {
    expect(parseSandboxArgs([], {})).toEqual({ users: 60, seed: 42, port: 4010, host: '127.0.0.1', asOf: undefined, pageCap: 15 });
    expect(parseSandboxArgs([], { SANDBOX_PORT: '4999' }).port).toBe(4999);
    expect(parseSandboxArgs(['--port', '0'], { SANDBOX_PORT: '4999' }).port).toBe(0);
  });

  it('reads --users, --seed and --port', () => {
    expect(parseSandboxArgs(['--users', '1000', '--seed=-3', '--port', '4011'], {})).toMatchObject({ users: 1000, seed: -3, port: 4011 });
  });

  it('reads --page-cap, the most rows a page answers (default 15, as every answer example of the documents)', () => {
    expect(parseSandboxArgs(['--page-cap', '7'], {}).pageCap).toBe(7);
    expect(parseSandboxArgs(['--page-cap=1'], {}).pageCap).toBe(1);
    expect(() => parseSandboxArgs(['--page-cap', '0'], {})).toThrow(/--page-cap must be an integer in \[1, 1000\]/);
    expect(() => parseSandboxArgs(['--page-cap', 'all'], {})).toThrow(/--page-cap/);
  });

  it('rejects unknown flags and bad numbers with a message naming the problem', () => {
    expect(() => parseSandboxArgs(['--colour', 'red'], {})).toThrow(/colour/);
    expect(() => parseSandboxArgs(['--users', 'ten'], {})).toThrow(/--users must be an integer/);
    expect(() => parseSandboxArgs(['--users', '0'], {})).toThrow(/--users/);
    expect(() => parseSandboxArgs(['--port', '70000'], {})).toThrow(/--port/);
    expect(() => parseSandboxArgs([], { SANDBOX_PORT: 'x' })).toThrow(/SANDBOX_PORT/);
  });
});
