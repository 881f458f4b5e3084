import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { contractProblems, routeTemplateOf } from '../../support/contract';

/** A request as the server received it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/**
 * An answer: a status and a JSON body (or a raw text one), or no answer at all. A JSON answer on a route of the API
 * must be one the contract allows (docs/openapi.json), unless `offContract` says why the test sends one it does not.
 */
export type Answer = { status: number; json?: unknown; text?: string; headers?: Record<string, string>; offContract?: string } | 'hang';

/** What is wrong with a JSON answer to a request on a route of the API, by the contract. */
function offContract(request: ReceivedRequest, answer: Exclude<Answer, 'hang'>): string[] {
  const method = request.method === 'GET' || request.method === 'POST' ? request.method : undefined;
  const path = new URL(request.url, 'http://fake').pathname;
  const template = method && routeTemplateOf(method, path);
  if (!method || !template || answer.json === undefined || answer.offContract) return [];
  return contractProblems(method, template, answer.status, answer.json).map((problem) => `${method} ${path} ${answer.status}: ${problem}`);
}

/** A `node:http` server on a free port that answers like the HTTP API, route by route, each JSON answer checked against the contract. */
export async function startFakeApiServer(respond: (request: ReceivedRequest) => Answer) {
  const received: ReceivedRequest[] = [];
  const problems: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const entry = {
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
      body: await readBody(request),
    };
    received.push(entry);
    const answer = respond(entry);
    if (answer === 'hang') return;
    problems.push(...offContract(entry, answer));
    const body = answer.text ?? JSON.stringify(answer.json);
    response.writeHead(answer.status, { 'content-type': answer.text === undefined ? 'application/json' : 'text/plain', ...answer.headers });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** The answers the contract does not allow, found so far. */
    problems,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const running: { close: () => Promise<void>; problems: string[] }[] = [];

/** Starts a fake API for one test and remembers it, so {@link closeFakeApiServers} (in `afterEach`) stops it. */
export async function serveFakeApi(respond: (request: ReceivedRequest) => Answer) {
  const server = await startFakeApiServer(respond);
  running.push(server);
  return server;
}

/** Stops every fake API started by {@link serveFakeApi}, and fails the test if one gave an answer the contract does not allow. */
export async function closeFakeApiServers(): Promise<void> {
  const servers = running.splice(0);
  await Promise.all(servers.map((server) => server.close()));
  expect(
    servers.flatMap((server) => server.problems),
    'fake API answers off the contract (docs/openapi.json)',
  ).toEqual([]);
}
