import { describe, expect, it } from 'vitest';
import { parseSandboxArgs } from '../../../sandbox/cli-args';

describe('the sandbox CLI arguments', () => {
  it('defaults to 60 users, seed 42, 127.0.0.1 and port 4010, or $SANDBOX_PORT when set', () => {
    expect(parseSandboxArgs([], {})).toEqual({ users: 60, seed: 42, port: 4010, host: '127.0.0.1', asOf: undefined });
    expect(parseSandboxArgs([], { SANDBOX_PORT: '4999' }).port).toBe(4999);
    expect(parseSandboxArgs(['--port', '0'], { SANDBOX_PORT: '4999' }).port).toBe(0);
  });

  it('reads --users, --seed and --port', () => {
    expect(parseSandboxArgs(['--users', '1000', '--seed=-3', '--port', '4011'], {})).toMatchObject({ users: 1000, seed: -3, port: 4011 });
  });

  it('rejects unknown flags and bad numbers with a message naming the problem', () => {
    expect(() => parseSandboxArgs(['--colour', 'red'], {})).toThrow(/colour/);
    expect(() => parseSandboxArgs(['--users', 'ten'], {})).toThrow(/--users must be an integer/);
    expect(() => parseSandboxArgs(['--users', '0'], {})).toThrow(/--users/);
    expect(() => parseSandboxArgs(['--port', '70000'], {})).toThrow(/--port/);
    expect(() => parseSandboxArgs([], { SANDBOX_PORT: 'x' })).toThrow(/SANDBOX_PORT/);
  });
});
