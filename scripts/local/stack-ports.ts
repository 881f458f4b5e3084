import { freePort } from './free-port';

/** The ports `npm start` listens on: the HTTP API, the Lambda invoke API, local SNS, DynamoDB Local and the sandbox. */
export interface StackPorts {
  http: number;
  lambda: number;
  sns: number;
  dynamodb: number;
  sandbox: number;
}

/** The ports a plain `npm start` uses, the ones the README's examples and `.env.local` name. */
export const DEFAULT_PORTS: Readonly<StackPorts> = { http: 3000, lambda: 3002, sns: 4002, dynamodb: 8000, sandbox: 4010 };

const SERVICES = ['http', 'lambda', 'sns', 'dynamodb', 'sandbox'] as const satisfies readonly (keyof StackPorts)[];

/** Thrown when the asked-for ports cannot all be used: two services on one port. */
export class PortChoiceError extends Error {
  override name = 'PortChoiceError';
}

/**
 * The ports of one local stack: each asked-for port as asked, every other one the default or, with
 * `free`, one the OS says is free now, so a second stack (a test's, a colleague's) never collides
 * with the first. Two services asked onto one port are refused before anything starts.
 *
 * @example choosePorts({ http: 3100 }, { free: true }) // → { http: 3100, lambda: 41235, sns: 40417, … }
 */
export async function choosePorts(
  asked: Partial<StackPorts>,
  options: { free: boolean },
  pick: () => Promise<number> = freePort,
): Promise<StackPorts> {
  const names = SERVICES;
  const taken = new Set(names.flatMap((name) => (asked[name] === undefined ? [] : [asked[name]])));
  const chosen: Partial<StackPorts> = {};
  for (const name of names) {
    chosen[name] = asked[name] ?? (options.free ? await distinctPort(pick, taken) : DEFAULT_PORTS[name]);
  }
  const ports = { ...DEFAULT_PORTS, ...chosen };
  const clashes = names.filter((name, index) => names.findIndex((other) => ports[other] === ports[name]) !== index);
  if (clashes.length > 0) {
    throw new PortChoiceError(`two services on one port: ${clashes.map((name) => `${name} ${ports[name]}`).join(', ')}`);
  }
  return ports;
}

/** A free port no other service of this stack has been given (the OS may hand out one just released). */
async function distinctPort(pick: () => Promise<number>, taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await pick();
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new PortChoiceError('no free port distinct from the others after 20 tries');
}
