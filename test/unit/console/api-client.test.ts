import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, errorMessage } from '../../../console/src/api-client';
import { sampleDiscrepancyAnswer } from './sample-answers';

/** A fetch that answers each call with the next status and body, and records what it was asked. */
function answering(...answers: [number, unknown][]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    const [status, body] = answers.shift() ?? [500, {}];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

describe('the console API client', () => {
  it('sends the bearer token and the filter, and parses the page with the contract', async () => {
    const { calls, fetch } = answering([200, { items: [sampleDiscrepancyAnswer()], cursor: 'next' }]);
    const api = createApiClient({ base: 'http://api.test/', token: () => 'tok', onUnauthorized: () => {}, fetch });
    const page = await api.discrepancies({ severity: 'high' }, 'c1');
    expect(page.cursor).toBe('next');
    expect(page.items[0]?.difference).toBe('-0.1');
    expect(calls[0]?.url).toBe('http://api.test/discrepancies?severity=high&limit=25&cursor=c1');
    expect(new Headers(calls[0]?.init?.headers).get('authorization')).toBe('Bearer tok');
  });

  it("turns a refusal into an error carrying the API's own words", async () => {
    const { fetch } = answering([403, { message: 'forbidden', problem: 'a second person must approve' }]);
    const api = createApiClient({ base: 'http://api.test/', token: () => 'tok', onUnauthorized: () => {}, fetch });
    const refused = api.act('cross-source:u1:btc', 'approve', { note: 'ok' });
    await expect(refused).rejects.toThrow('a second person must approve');
    await expect(refused).rejects.toBeInstanceOf(ApiError);
  });

  it('ends the session on a 401', async () => {
    let signedOut = false;
    const { fetch } = answering([401, { message: 'unauthorized', problem: 'token expired' }]);
    const api = createApiClient({ base: 'http://api.test/', token: () => 'tok', onUnauthorized: () => (signedOut = true), fetch });
    await expect(api.runs()).rejects.toThrow('token expired');
    expect(signedOut).toBe(true);
  });

  it('refuses an answer that does not match the contract', async () => {
    const { fetch } = answering([200, { items: [{ id: 'x' }] }]);
    const api = createApiClient({ base: 'http://api.test/', token: () => 'tok', onUnauthorized: () => {}, fetch });
    await expect(api.discrepancies({})).rejects.toThrow('Unexpected answer from GET /discrepancies');
  });

  it('shows no totals, not an error, where the service has no totals route yet', async () => {
    const { fetch } = answering([404, { message: 'not found' }], [400, { problems: ['path.id: must be a discrepancy id'] }]);
    const api = createApiClient({ base: 'http://api.test/', token: () => 'tok', onUnauthorized: () => {}, fetch });
    expect(await api.totals({})).toBeUndefined();
    expect(await api.totals({})).toBeUndefined();
  });
});

describe('errorMessage', () => {
  it('prefers the problem, then the problems, then the message, then the status', () => {
    expect(errorMessage(403, { message: 'forbidden', problem: 'p' })).toBe('p');
    expect(errorMessage(400, { message: 'bad request', problems: ['a', 'b'] })).toBe('a; b');
    expect(errorMessage(500, { message: 'internal error' })).toBe('internal error');
    expect(errorMessage(502, 'gateway')).toBe('The service answered 502');
  });
});
