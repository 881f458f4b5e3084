import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RetryAfterTooLongError, SourceError } from '../../../lib/ports/source-error';
import { JsonClient } from '../../../lib/sources/http/json-client';
import { pacedJsonClient } from '../../../lib/sources/http/paced-json-client';
import { UpstreamPressure } from '../../../lib/sources/pacing/upstream-pressure';
import { SimulatedClock } from '../../support/simulated-clock';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** A local HTTP server answering each request with the next scripted answer (status, body); `null` never answers. */
async function scripted(answers: ([number, string, Record<string, string>?] | null)[]): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  server = createServer((_request, response) => {
    const answer = answers[Math.min(calls++, answers.length - 1)];
    if (answer === null || answer === undefined) return;
    response.writeHead(answer[0], { 'content-type': 'application/json', ...answer[2] }).end(answer[1]);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls };
}

const client = (url: string, retries = 2, timeoutMs = 2_000) =>
  new JsonClient({ source: 'reporting', baseUrl: url, concurrency: 2, timeoutMs, retries, sleep: async () => undefined });

describe('JsonClient', () => {
  it('retries a 503 and returns the answer that follows', async () => {
    const upstream = await scripted([
      [503, '{}'],
      [200, '{"ok":true}'],
    ]);
    const http = client(upstream.url);
    expect(await http.request({ endpoint: 'users', method: 'POST', path: '/x', body: {} })).toEqual({ ok: true });
    expect(upstream.calls()).toBe(2);
    expect(http.stats).toEqual({ requests: 2, retries: 1, failures: 0 });
  });

  it('does not retry a 400: repeating a bad request cannot help', async () => {
    const upstream = await scripted([[400, '{"error":"bad"}']]);
    await expect(client(upstream.url).request({ endpoint: 'users', method: 'POST', path: '/x' })).rejects.toMatchObject({
      failure: 'http-status',
      status: 400,
    });
    expect(upstream.calls()).toBe(1);
  });

  it('gives up after its retries on a 429, naming it rate-limited', async () => {
    const upstream = await scripted([[429, '{}', { 'retry-after': '0' }]]);
    await expect(client(upstream.url, 1).request({ endpoint: 'users', method: 'POST', path: '/x' })).rejects.toMatchObject({
      failure: 'rate-limited',
    });
    expect(upstream.calls()).toBe(2);
  });

  it('counts each 429 and 418 it meets and each retry it spends, per source, for the run metrics', async () => {
    const upstream = await scripted([
      [429, '{}', { 'retry-after': '0' }],
      [429, '{}', { 'retry-after': '0' }],
      [418, '{}'],
    ]);
    const pressure = new UpstreamPressure();
    const http = new JsonClient({
      source: 'multimarkets',
      baseUrl: upstream.url,
      concurrency: 1,
      timeoutMs: 2_000,
      retries: 5,
      pressure,
      sleep: async () => undefined,
    });
    await expect(http.request({ endpoint: 'balances', method: 'GET', path: '/x' })).rejects.toMatchObject({
      failure: 'rate-limited',
      status: 418,
    });
    expect(pressure.drain()).toEqual({
      rateLimited: [
        { source: 'multimarkets', status: 429, count: 2 },
        { source: 'multimarkets', status: 418, count: 1 },
      ],
      retries: [{ source: 'multimarkets', count: 2 }],
    });
    expect(pressure.drain()).toEqual({ rateLimited: [], retries: [] });
  });

  it('times out an upstream that never answers', async () => {
    const upstream = await scripted([null]);
    const error = await client(upstream.url, 0, 300)
      .request({ endpoint: 'users', method: 'GET', path: '/slow' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ failure: 'timeout', retryable: true });
  });

  it('reports a body that is not JSON as unparseable, without echoing it', async () => {
    const upstream = await scripted([[200, '<html>secret page</html>']]);
    const error = await client(upstream.url)
      .request({ endpoint: 'users', method: 'GET', path: '/x' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ failure: 'unparseable' });
    expect((error as Error).message).not.toContain('secret page');
  });

  it('keeps every digit of JSON numbers when asked for exact numbers', async () => {
    const upstream = await scripted([[200, '[{"balance": 9007199254740993.123456789012345678}]']]);
    expect(await client(upstream.url).request({ endpoint: 'balance', method: 'GET', path: '/x', exactNumbers: true })).toEqual([
      { balance: '9007199254740993.123456789012345678' },
    ]);
  });

  describe('Retry-After', () => {
    /** A client whose sleeps are recorded, not waited; `remainingMs` is the run's time left, when there is a deadline. */
    const recording = (url: string, options: { maxBackoffMs?: number; remainingMs?: () => number } = {}) => {
      const slept: number[] = [];
      const http = new JsonClient({
        source: 'reporting',
        baseUrl: url,
        concurrency: 1,
        timeoutMs: 2_000,
        retries: 2,
        maxBackoffMs: options.maxBackoffMs ?? 5_000,
        sleep: async (ms) => {
          slept.push(ms);
        },
        ...(options.remainingMs && { deadline: { remainingMs: options.remainingMs } }),
      });
      return { http, slept };
    };

    it('fails at once when a 429 asks for longer than the maximum backoff, naming source, endpoint and the wait asked', async () => {
      const upstream = await scripted([
        [429, '{}', { 'retry-after': '25' }],
        [200, '{"ok":true}'],
      ]);
      const { http, slept } = recording(upstream.url);
      const error = await http.request({ endpoint: 'users/balances', method: 'POST', path: '/x' }).catch((e: unknown) => e);
      expect(
        slept.filter((ms) => ms > 5_000),
        'no wait beyond the cap',
      ).toEqual([]);
      expect(error).toBeInstanceOf(RetryAfterTooLongError);
      expect(error).toMatchObject({
        source: 'reporting',
        endpoint: 'users/balances',
        failure: 'rate-limited',
        retryAfterMs: 25_000,
        capMs: 5_000,
      });
      expect((error as Error).message).toBe('reporting users/balances: rate-limited: Retry-After 25000 ms is beyond the cap of 5000 ms');
      expect(upstream.calls()).toBe(1);
    });

    it('waits a Retry-After within the cap, then retries', async () => {
      const upstream = await scripted([
        [429, '{}', { 'retry-after': '3' }],
        [200, '{"ok":true}'],
      ]);
      const { http, slept } = recording(upstream.url);
      expect(await http.request({ endpoint: 'users/balances', method: 'POST', path: '/x' })).toEqual({ ok: true });
      expect(slept).toEqual([3_000]);
    });

    it('caps the wait at the time the run has left when that is shorter than the maximum backoff', async () => {
      const upstream = await scripted([
        [429, '{}', { 'retry-after': '3' }],
        [200, '{"ok":true}'],
      ]);
      const { http, slept } = recording(upstream.url, { maxBackoffMs: 60_000, remainingMs: () => 2_000 });
      await expect(http.request({ endpoint: 'users/balances', method: 'POST', path: '/x' })).rejects.toMatchObject({
        name: 'RetryAfterTooLongError',
        retryAfterMs: 3_000,
        capMs: 2_000,
      });
      expect(slept).toEqual([]);
    });

    it('behind a pacing gate (cap 60 s, one MultiMarkets rate window), fails a Retry-After beyond the cap and every call the held gate would start inside the penalty', async () => {
      const upstream = await scripted([
        [429, '{}', { 'retry-after': '90' }],
        [200, '{"ok":true}'],
      ]);
      const clock = new SimulatedClock();
      const http = pacedJsonClient('multimarkets', 600, { baseUrl: upstream.url, timeoutMs: 2_000, retries: 3, clock });
      const call = () => http.request({ endpoint: 'get-user-amount', method: 'POST', path: '/x' });
      await expect(call()).rejects.toMatchObject({
        name: 'RetryAfterTooLongError',
        source: 'multimarkets',
        retryAfterMs: 90_000,
        capMs: 60_000,
      });
      await expect(call(), 'the next call is not started inside the penalty').rejects.toMatchObject({ name: 'RetryAfterTooLongError' });
      expect(upstream.calls(), 'one call: none during the penalty').toBe(1);
      expect(clock.elapsed()).toBeLessThan(60_000);
    });
  });
});
