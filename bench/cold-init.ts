/**
 * `npm run bench:cold`: what each function costs to deploy and to start. Builds every handler
 * serverless.yml declares with the deployed esbuild options (esbuild.config.js) into a temporary
 * directory, then times fresh `node` processes that `require()` one bundle and reach its handler,
 * against the same process without a bundle (the node floor), and prints one line per function:
 * `cold: runManual 312 KB (98 KB gzip), init 85 ms (node floor 40 ms), cpu 80 ms`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { esbuildOptions } from '../esbuild.config';
import { loadConfig } from '../lib/config';
import { tableNames } from '../scripts/local/tables';

/** Timed spawns per bundle (and for the floor); the figure is their median. One more round before them warms the file cache. */
const SPAWNS = 5;

/** One function's bundle and its cold initialisation. */
export interface ColdInit {
  /** The function's name in serverless.yml. */
  name: string;
  /** The bundle's size: its `.js`, without the `.map` deployed beside it. */
  bytes: number;
  gzipBytes: number;
  /** Median wall time of a fresh `node` requiring the bundle and reaching its handler, minus {@link floorMs}. */
  initMs: number;
  /** Median wall time of the same `node` process without a bundle: start-up and exit of the runtime itself. */
  floorMs: number;
  /**
   * Median CPU time (user + system, every thread) of requiring the bundle, minus the floor's. Close to
   * {@link initMs} on an idle machine, and much steadier than wall time when other work shares the cores.
   */
  initCpuMs: number;
}

/** A handler serverless.yml declares: `runManual: { handler: functions/run-manual.handler }`. */
interface DeclaredFunction {
  name: string;
  /** The handler's file, without extension, relative to the service directory. */
  file: string;
  exportName: string;
}

/**
 * The functions of serverless.yml's `functions:` section, in order. Reads the file's own layout (a
 * two-space function name, its four-space `handler:`) rather than resolving the whole file, whose
 * CloudFormation tags and variables need the serverless CLI.
 */
function declaredFunctions(serverlessYml: string): DeclaredFunction[] {
  const found: DeclaredFunction[] = [];
  let inFunctions = false;
  let current: string | undefined;
  for (const line of serverlessYml.split('\n')) {
    if (/^\S/.test(line)) inFunctions = line.startsWith('functions:');
    if (!inFunctions) continue;
    const name = /^ {2}(\w+):\s*$/.exec(line)?.[1];
    if (name) current = name;
    const handler = /^ {4}handler:\s*([\w./-]+)\.(\w+)\s*$/.exec(line);
    if (handler?.[1] && handler[2] && current) found.push({ name: current, file: handler[1], exportName: handler[2] });
  }
  if (found.length === 0)
    throw new Error('serverless.yml declares no function handlers (expected `  name:` then `    handler: file.export`)');
  return found;
}

/**
 * The environment a function gets on the local stage (.env.local plus what serverless.yml sets),
 * checked against the configuration schema so a bundle that validated its configuration at load
 * would pass. As on Lambda, `NODE_PATH` is where the AWS SDK comes from, and source maps are on.
 */
function functionEnvironment(root: string): NodeJS.ProcessEnv {
  const tables = Object.fromEntries(Object.entries(tableNames('local')).map(([key, name]) => [`${key.toUpperCase()}_TABLE`, name]));
  const env: NodeJS.ProcessEnv = {
    ...parseEnv(readFileSync(join(root, '.env.local'), 'utf8')),
    ...tables,
    REPORTING_URL: 'http://127.0.0.1:4010',
    ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:balance-recon-alerts-local',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    SNS_ENDPOINT: 'http://127.0.0.1:4002',
    LAMBDA_ENDPOINT: 'http://127.0.0.1:3002',
    RUN_FUNCTION_NAME: 'balance-recon-local-runDirect',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NODE_OPTIONS: '--enable-source-maps',
    NODE_PATH: join(root, 'node_modules'),
    PATH: process.env.PATH,
  };
  loadConfig(env);
  return env;
}

/**
 * What each child runs: require the bundle (none for the floor), check the handler is there, print
 * the CPU time the process has used, exit at once.
 */
const LOADER = `const [bundle, exportName] = process.argv.slice(2);
if (bundle && typeof require(bundle)[exportName] !== 'function') process.exitCode = 2;
const cpu = process.cpuUsage();
process.stdout.write(String((cpu.user + cpu.system) / 1000));
process.exit();
`;

/** One fresh process: its wall time as this process saw it, and the CPU time it reported. */
function timeSpawn(loader: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): { wallMs: number; cpuMs: number } {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [loader, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuMs = Number(child.stdout.toString());
  if (child.status !== 0 || !Number.isFinite(cpuMs)) {
    throw new Error(`node ${args.join(' ') || '(floor)'} exited ${child.status}: ${child.stderr.toString().trim()}`);
  }
  return { wallMs, cpuMs };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const at = (index: number) => sorted[index] ?? Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
}

/**
 * Builds each declared function with the deployed options and measures its cold initialisation:
 * the median over {@link SPAWNS} fresh processes, less the node floor. Spawns one process at a
 * time with `spawnSync` (so the timing carries no event-loop delay): it blocks this process for a
 * few seconds, so run it when nothing else is in flight.
 */
export async function measureColdInit(root = resolve('.')): Promise<ColdInit[]> {
  const functions = declaredFunctions(readFileSync(join(root, 'serverless.yml'), 'utf8'));
  const env = functionEnvironment(root);
  const dir = mkdtempSync(join(tmpdir(), 'cold-init-'));
  try {
    await build({
      ...esbuildOptions,
      absWorkingDir: root,
      entryPoints: Object.fromEntries(functions.map((fn) => [fn.name, join(root, `${fn.file}.ts`)])),
      outdir: dir,
      logLevel: 'warning',
    });
    const loader = join(dir, 'loader.cjs');
    writeFileSync(loader, LOADER);
    // Rounds interleave the floor and every bundle, so a slow moment of the machine weighs on all alike.
    const floor: { wallMs: number; cpuMs: number }[] = [];
    const spawns = functions.map(() => [] as { wallMs: number; cpuMs: number }[]);
    for (let round = 0; round <= SPAWNS; round++) {
      const warmUp = round === 0;
      const floorSpawn = timeSpawn(loader, [], env, root);
      if (!warmUp) floor.push(floorSpawn);
      functions.forEach((fn, index) => {
        const spawn = timeSpawn(loader, [join(dir, `${fn.name}.js`), fn.exportName], env, root);
        if (!warmUp) spawns[index]?.push(spawn);
      });
    }
    const floorMs = median(floor.map((spawn) => spawn.wallMs));
    const floorCpuMs = median(floor.map((spawn) => spawn.cpuMs));
    return functions.map((fn, index) => {
      const bundle = readFileSync(join(dir, `${fn.name}.js`));
      const times = spawns[index] ?? [];
      return {
        name: fn.name,
        bytes: bundle.length,
        gzipBytes: gzipSync(bundle).length,
        initMs: Math.max(0, median(times.map((spawn) => spawn.wallMs)) - floorMs),
        floorMs,
        initCpuMs: Math.max(0, median(times.map((spawn) => spawn.cpuMs)) - floorCpuMs),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `cold: runManual 312 KB (98 KB gzip), init 85 ms (node floor 40 ms), cpu 80 ms`. */
export function formatColdInit(result: ColdInit): string {
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  const ms = (value: number) => `${Math.round(value)} ms`;
  return `cold: ${result.name} ${kb(result.bytes)} (${kb(result.gzipBytes)} gzip), init ${ms(result.initMs)} (node floor ${ms(result.floorMs)}), cpu ${ms(result.initCpuMs)}`;
}

if (require.main === module) {
  measureColdInit().then(
    (results) => {
      for (const result of results) console.log(formatColdInit(result));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
