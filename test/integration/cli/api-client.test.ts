import { afterEach, describe, expect, it } from 'vitest';
import { HttpReconApi } from '../../../scripts/cli/api-client';
import { runCommand } from '../../../scripts/cli/commands/run';
import { ApiError, ApiUnreachableError, describeError } from '../../../scripts/cli/errors';
import { renderDiscrepancy } from '../../../scripts/cli/render';
import { discrepancy, summary } from '../../unit/cli/fake-recon-api';
import { Sink } from '../../unit/cli/sink';
import { type Answer, closeFakeApiServers, type ReceivedRequest, serveFakeApi } from './fake-api-server';

const TOKEN = 'header.payload.signature-that-must-never-be-printed';
afterEach(closeFakeApiServers);

async function serve(respond: (request: ReceivedRequest) => Answer) {
  const server = await serveFakeApi(respond);
  return { ...server, api: new HttpReconApi({ baseUrl: server.url, token: () => TOKEN, timeoutMs: 2000 }) };
}

/** The control characters in printed text other than newline (C0, DEL, C1). */
const controlsIn = (text: string) => [...text].filter((char) => char !== '\n' && /\p{Cc}/u.test(char));

/** What `recon` would print for the error, all lines together. */
async function printed(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return describeError(error, { local: true }).join('\n');
}

describe('HttpReconApi against a server answering like the API', () => {
  it('prints a hostile server’s text without escape sequences or control characters, in tables and in errors', async () => {
    const hostile = discrepancy({
      status: 'acknowledged',
      acknowledgedBy: 'mallory\u001b[2K\rresolved by admin',
      acknowledgedAt: '2026-11-21T00:00:00Z',
      acknowledgedNote: 'see\nOPS-1\u001b]0;pwned\u0007\u009b31m',
    });
    const server = await serve((request) =>
      request.url === '/discrepancies/x'
        ? { status: 200, json: { discrepancy: hostile, history: [] } }
        : { status: 403, json: { message: 'forbidden', problem: 'no\u001b[8m hidden\u0007' } },
    );
    const shown = renderDiscrepancy(await server.api.getDiscrepancy('x'));
    expect(shown).toContain('by mallory resolved by admin');
    expect(shown).toContain('see\nOPS-1');
    expect(controlsIn(shown)).toEqual([]);
    const error = await printed(server.api.getDiscrepancy('y'));
    expect(error).toContain('  no hidden');
    expect(controlsIn(error)).toEqual([]);
  });

  it('starts a run (202), follows it with GET /runs/{id} until it is done, with the bearer token on every call', async () => {
    let polls = 0;
    const server = await serve((request) => {
      if (request.method === 'POST' && request.url === '/runs') return { status: 202, json: { runId: 'run-1', status: 'queued' } };
      if (request.method === 'GET' && request.url === '/runs/run-1') {
        polls++;
        return polls < 3
          ? {
              status: 200,
              json: { runId: 'run-1', status: 'running', progress: { users: polls * 10, positions: polls * 40, discrepancies: 0 } },
            }
          : { status: 200, json: summary({ runId: 'run-1', status: 'partial' }) };
      }
      return { status: 404, json: { message: 'not found', problem: 'no route' } };
    });
    const out = new Sink();
    const code = await runCommand(
      { api: server.api, out, err: new Sink(), json: true },
      { check: ['cross-source'], dryRun: true },
      { now: () => 0, sleep: async () => undefined },
    );
    expect(code).toBe(2);
    expect(server.received.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /runs',
      'GET /runs/run-1',
      'GET /runs/run-1',
      'GET /runs/run-1',
    ]);
    expect(JSON.parse(server.received[0]?.body ?? '')).toEqual({ checks: ['cross-source'], dryRun: true });
    expect(server.received.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(JSON.parse(out.text)).toMatchObject({ runId: 'run-1', status: 'partial' });
  });

  it('takes the summary of an API that still answers POST /runs synchronously (200)', async () => {
    const server = await serve(() => ({
      status: 200,
      json: summary(),
      offContract: 'POST /runs answers 202 now; older APIs answered 200',
    }));
    expect(await server.api.startRun({})).toMatchObject({ runId: 'run-9', status: 'complete' });
  });

  it('turns a 400 into an ApiError carrying each of the problems', async () => {
    const problems = ['body.checks[0]: must be one of amount-split, cross-source', 'body.asOf: Invalid ISO datetime'];
    const server = await serve(() => ({ status: 400, json: { message: 'bad request', problems } }));
    const call = server.api.startRun({ checks: ['x'] });
    await expect(call).rejects.toMatchObject({ name: 'ApiError', status: 400, problems, extra: { message: 'bad request' } });
    expect(await printed(server.api.startRun({}))).toBe(`error: POST /runs answered 400 (bad request)\n  ${problems[0]}\n  ${problems[1]}`);
  });

  it('turns a 401 into an ApiError with its problem, and never prints the token', async () => {
    const server = await serve(() => ({
      status: 401,
      json: { message: 'unauthorized', problem: 'token has expired' },
      headers: { 'www-authenticate': 'Bearer' },
    }));
    await expect(server.api.listDiscrepancies({ status: 'open' })).rejects.toMatchObject({ status: 401, problems: ['token has expired'] });
    const text = await printed(server.api.listDiscrepancies({ status: 'open' }));
    expect(text).toMatch(/^error: GET \/discrepancies answered 401 \(unauthorized\)\n {2}token has expired\n {2}the token was refused/);
    expect(text).not.toContain('signature-that-must-never-be-printed');
  });

  it('keeps the request id of a 500, and the text of a gateway’s non-JSON error', async () => {
    const internal = await serve(() => ({ status: 500, json: { message: 'internal error', requestId: 'req-42' } }));
    expect(await printed(internal.api.getRun('run-1'))).toContain('request id: req-42');
    const gateway = await serve(() => ({ status: 502, text: 'Bad Gateway' }));
    await expect(gateway.api.getRun('run-1')).rejects.toMatchObject({ status: 502, problems: ['Bad Gateway'], transient: true });
  });

  it('refuses a success whose body lacks what the CLI reads, naming the field', async () => {
    const server = await serve(() => ({
      status: 200,
      json: { items: [{ ...discrepancy(), difference: 0.1 }] },
      offContract: 'a number where the contract has a decimal string',
    }));
    const error = await server.api.listDiscrepancies({}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 200,
      extra: { unexpectedShape: true },
      problems: [expect.stringMatching(/^items\[0\]\.difference: /)],
    });
  });

  it('keeps every field of an answer, known or not, and every decimal as its exact text', async () => {
    const item = { ...discrepancy(), addedLater: { nested: true } };
    const server = await serve(() => ({ status: 200, json: { discrepancy: item, history: [] } }));
    expect(await server.api.getDiscrepancy(item.id)).toEqual({ discrepancy: item, history: [] });
  });

  it('puts ids in the path, filters in the query and the note in the body', async () => {
    const server = await serve((request) =>
      request.method === 'GET' ? { status: 200, json: { items: [] } } : { status: 200, json: discrepancy({ status: 'acknowledged' }) },
    );
    await server.api.listDiscrepancies({ status: 'open', user: 'a+b@example.com', limit: 100, cursor: 'eyJpZCI6IngifQ==' });
    await server.api.actOnDiscrepancy('acknowledge', 'presence:a+b@example.com:*', 'seen, "OPS-1"');
    expect(server.received[0]?.url).toBe('/discrepancies?status=open&user=a%2Bb%40example.com&limit=100&cursor=eyJpZCI6IngifQ%3D%3D');
    expect(server.received[1]).toMatchObject({
      method: 'POST',
      url: '/discrepancies/presence:a%2Bb@example.com:*/acknowledge',
      body: JSON.stringify({ note: 'seen, "OPS-1"' }),
    });
  });

  it('does not follow a redirect, which would carry the token elsewhere', async () => {
    const elsewhere = await serve(() => ({ status: 200, json: { items: [] } }));
    const server = await serve(() => ({ status: 302, text: '', headers: { location: `${elsewhere.url}/discrepancies` } }));
    await expect(server.api.listDiscrepancies({})).rejects.toMatchObject({ status: 302 });
    expect(elsewhere.received).toEqual([]);
  });

  it('says which URL refused the connection and suggests npm start', async () => {
    const server = await serve(() => ({ status: 200, json: {} }));
    await server.close();
    const api = new HttpReconApi({ baseUrl: server.url, token: () => TOKEN });
    const error = await api.getRun('run-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(error).toMatchObject({ baseUrl: server.url, reason: 'ECONNREFUSED' });
    expect(describeError(error, { local: true })).toEqual([
      `error: cannot reach the API at ${server.url} (ECONNREFUSED) for GET /runs/run-1`,
      '  is the local stack running? Start it with `npm start` (or point RECON_API_URL at the API)',
    ]);
  });

  it('gives up on a call that gets no answer in time', async () => {
    const server = await serve(() => 'hang');
    const api = new HttpReconApi({ baseUrl: server.url, token: () => TOKEN, timeoutMs: 200 });
    await expect(api.getRun('run-1')).rejects.toMatchObject({ name: 'ApiUnreachableError', reason: 'no answer within 0.2 s' });
  });
});
