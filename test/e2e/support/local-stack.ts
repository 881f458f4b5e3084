import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { stopChild } from '../../../scripts/local/stop-child';

/** A whole local stack `npm start` brought up on free ports, as its own output describes it. */
export interface LocalStack {
  /** `http://127.0.0.1:<port>/console/`, the line a newcomer opens. */
  consoleUrl: string;
  /** The HTTP API's origin. */
  api: string;
  /** The sandbox's origin (its planted discrepancies at `/__sandbox/manifest`). */
  sandbox: string;
  /** Every port the stack listens on (HTTP API, Lambda, SNS, DynamoDB Local, sandbox). */
  ports: number[];
  /** `found N of M planted discrepancies`: N and M. */
  found: { found: number; planted: number };
  /** Everything the script printed so far (for a failing test's message). */
  output(): string;
  /** Signals the script's own process (it stops its children) and waits for it to exit. */
  stop(): Promise<void>;
}

const FOUND = /^found (\d+) of (\d+) planted discrepancies/;
const ADDRESS = /^\s+(Console|HTTP API|Lambda invoke|SNS|DynamoDB Local|sandbox)\s+http:\/\/127\.0\.0\.1:(\d+)(\S*)/;

/**
 * Starts `scripts/start.ts --ports free` as a newcomer's `npm start` would run it (the script itself, not npm, so
 * the process signalled at the end is the one that stops the children) and resolves once it printed the stays-up
 * block after the run's summary.
 */
export async function startLocalStack(args: readonly string[] = [], timeoutMs = 240_000): Promise<LocalStack> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--ports', 'free', ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const addresses = new Map<string, string>();
  let found: LocalStack['found'] | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start was not up within ${timeoutMs / 1000} s`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before it was up`)));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        const counted = FOUND.exec(line);
        if (counted) found = { found: Number(counted[1]), planted: Number(counted[2]) };
        const address = ADDRESS.exec(line);
        if (address) addresses.set(address[1] ?? '', `http://127.0.0.1:${address[2]}${address[3] ?? ''}`);
        if (line.startsWith('Try:')) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
  const output = () => lines.join('\n');
  try {
    await ready;
  } catch (error) {
    await stopChild(child, 20_000);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output().slice(-4000)}`, { cause: error });
  }
  const address = (name: string) => {
    const url = addresses.get(name);
    if (!url) throw new Error(`npm start printed no ${name} address:\n${output().slice(-3000)}`);
    return url;
  };
  if (!found) throw new Error(`npm start printed no "found N of N planted discrepancies" line:\n${output().slice(-3000)}`);
  return {
    consoleUrl: address('Console'),
    api: address('HTTP API'),
    sandbox: address('sandbox'),
    ports: [...addresses.entries()].filter(([name]) => name !== 'Console').map(([, url]) => Number(new URL(url).port)),
    found,
    output,
    // A script that does not stop within 20 s is killed; the test's leftover check then names what it left.
    stop: () => stopChild(child, 20_000),
  };
}

/** Whether nothing listens on `port` on 127.0.0.1 any more. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => server.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });
}

/** The command lines of the running processes that name one of `ports` (sls offline, DynamoDB Local, …). */
export function processesNaming(ports: readonly number[]): string[] {
  const commands: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (ports.some((port) => new RegExp(`\\b${port}\\b`).test(command))) commands.push(`${pid}: ${command}`);
  }
  return commands;
}
