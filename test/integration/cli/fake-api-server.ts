import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** An answer: a status and a JSON body (or a raw text one), or no answer at all. */
export type Answer = { status: number; json?: unknown; text?: string; headers?: Record<string, string> } | 'hang';

/** A `node:http` server on a free port that answers like the HTTP API, route by route. */
export async function startFakeApiServer(respond: (request: ReceivedRequest) => Answer) {
  const received: ReceivedRequest[] = [];
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
    const body = answer.text ?? JSON.stringify(answer.json);
    response.writeHead(answer.status, { 'content-type': answer.text === undefined ? 'application/json' : 'text/plain', ...answer.headers });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
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

const running: { close: () => Promise<void> }[] = [];

/** Starts a fake API for one test and remembers it, so {@link closeFakeApiServers} (in `afterEach`) stops it. */
export async function serveFakeApi(respond: (request: ReceivedRequest) => Answer) {
  const server = await startFakeApiServer(respond);
  running.push(server);
  return server;
}

/** Stops every fake API started by {@link serveFakeApi}. */
export async function closeFakeApiServers(): Promise<void> {
  await Promise.all(running.splice(0).map((server) => server.close()));
}
