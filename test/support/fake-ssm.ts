import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One `GetParameters` call as the fake received it. */
export interface ParameterRequest {
  target: string;
  names: string[];
  withDecryption: boolean;
}

/**
 * A stand-in for SSM Parameter Store over HTTP (the AWS JSON 1.1 protocol of `GetParameters`),
 * for handlers whose credentials are named by SSM parameter: point `SSM_ENDPOINT` at `endpoint`.
 * It answers each name it holds with its value, lists the others as invalid, and records every
 * call so a test can say which function read SSM and for what.
 */
export async function fakeSsm(parameters: Record<string, string>) {
  const requests: ParameterRequest[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const { Names = [], WithDecryption = false } = JSON.parse(body || '{}') as { Names?: string[]; WithDecryption?: boolean };
      requests.push({ target: String(request.headers['x-amz-target']), names: Names, withDecryption: WithDecryption });
      const held = Names.filter((name) => name in parameters);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          Parameters: held.map((name) => ({ Name: name, Type: 'SecureString', Value: parameters[name], Version: 1 })),
          InvalidParameters: Names.filter((name) => !(name in parameters)),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
