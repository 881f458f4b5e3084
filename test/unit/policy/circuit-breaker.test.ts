import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../lib/policy/circuit-breaker';
import { SourceError } from '../../../lib/ports/source-error';

const failing = () => Promise.reject(new SourceError('backoffice', 'balances', 'timeout', 'UND_ERR_HEADERS_TIMEOUT', { retryable: true }));

describe('CircuitBreaker', () => {
  it('stops calling a source after the threshold of failures in a row, failing the skipped calls at once', async () => {
    const breaker = new CircuitBreaker(2);
    let calls = 0;
    const call = () => {
      calls++;
      return failing();
    };
    await breaker.call('backoffice', call);
    await breaker.call('backoffice', call);
    const skipped = await breaker.call('backoffice', call);
    expect(calls).toBe(2);
    expect(skipped).toMatchObject({ ok: false, error: { source: 'backoffice', failure: 'timeout' } });
    expect(skipped.ok ? '' : skipped.error.message).toMatch(/not called: 2 calls in a row failed/);
  });

  it('resets the count after a success, and keeps sources apart', async () => {
    const breaker = new CircuitBreaker(2);
    await breaker.call('backoffice', failing);
    expect(await breaker.call('backoffice', async () => 'ok')).toEqual({ ok: true, value: 'ok' });
    await breaker.call('backoffice', failing);
    await breaker.call('reporting', failing);
    expect(await breaker.call('backoffice', async () => 'still called')).toEqual({ ok: true, value: 'still called' });
  });

  it("does not count a failure that is one account's alone (its credentials refused), nor reset the count with it", async () => {
    const breaker = new CircuitBreaker(2);
    const refused = () =>
      Promise.reject(new SourceError('indx', 'Balance', 'upstream-error', 'code -2: access denied', { scope: 'account' }));
    for (let i = 0; i < 5; i++) expect(await breaker.call('indx', refused)).toMatchObject({ ok: false, error: { accountOnly: true } });
    expect(await breaker.call('indx', async () => 'still called')).toEqual({ ok: true, value: 'still called' });
    await breaker.call('indx', failing);
    await breaker.call('indx', refused);
    await breaker.call('indx', failing);
    const skipped = await breaker.call('indx', async () => 'not called');
    expect(skipped.ok).toBe(false);
  });

  it('lets a programming error propagate', async () => {
    await expect(new CircuitBreaker(1).call('reporting', () => Promise.reject(new TypeError('bug')))).rejects.toThrow(TypeError);
  });
});
