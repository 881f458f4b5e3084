/**
 * `npm run chaos -- --seeds N [--first F] [--seed S] [--verbose] [--twice] [--budget-seconds T]`: the seeded fault simulation. Each seed
 * builds a sandbox book, fresh tables in one DynamoDB Local, an SNS emulator topic and a fault schedule,
 * drives its runs as Lambda would and checks the invariants (docs/reliability.md). Prints one line;
 * exits 1 when any invariant broke. `--seed S` replays one seed, printing its schedule and what broke.
 */
import { Command } from 'commander';
import { describeSchedule } from './chaos/schedule';
import { allHeld, chaosLine, type SeedResult, simulateSeed, totalsOf } from './chaos/simulate';
import { startDynamoDbLocal } from './local/dynamodb-local';
import { freePort } from './local/free-port';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** A seed's schedule and every violation, one per line. */
function explain(result: SeedResult): string[] {
  const { violations, nondeterministic } = result;
  const entries = [
    ...violations.false.map((v) => `  false: ${v}`),
    ...violations.lost.map((v) => `  lost: ${v}`),
    ...violations.duplicate.map((v) => `  duplicate: ${v}`),
    ...violations.crashes.map((v) => `  crash: ${v}`),
    ...nondeterministic.map((v) => `  nondeterministic: ${v}`),
  ];
  const fired = [...result.fired].map(([kind, n]) => `${kind} ${n}`).join(', ');
  return [...describeSchedule(result.schedule), `  fired: ${fired || 'no injected call'}; ${result.ms.toFixed(0)} ms`, ...entries];
}

async function main(): Promise<void> {
  const options = new Command('chaos')
    .option('--seeds <n>', 'how many seeds (from --first on)', '50')
    .option('--first <s>', 'the first seed of --seeds (to split a long simulation)', '1')
    .option('--seed <s>', 'replay this one seed (run twice: same seed, same result)')
    .option('--twice', 'run every seed twice (by default the first seed only)')
    .option('--verbose', 'print every seed, not only the failing ones')
    .option('--budget-seconds <s>', 'start no new seed after this many seconds (the results never depend on it)')
    .parse()
    .opts<{ seeds: string; first: string; seed?: string; twice?: boolean; verbose?: boolean; budgetSeconds?: string }>();
  for (const [name, value] of [
    ['--seeds', options.seeds],
    ['--first', options.first],
    ['--seed', options.seed ?? '1'],
  ] as const)
    if (!/^[1-9]\d{0,8}$/.test(value)) throw new RangeError(`${name} must be a whole number from 1, got "${value}"`);
  const stopAt = options.budgetSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + Number(options.budgetSeconds) * 1000;
  const seeds =
    options.seed !== undefined
      ? [Number(options.seed)]
      : Array.from({ length: Number(options.seeds) }, (_, i) => i + Number(options.first));
  // On a busy machine the JVM may take well over its usual 3 s to answer.
  const dynamo = await startDynamoDbLocal(await freePort(), 120_000);
  // fauxqs is ESM only: imported dynamically from this CommonJS script.
  const { startFauxqs } = await import('fauxqs');
  const sns = await startFauxqs({ port: 0, logger: false });
  const results: SeedResult[] = [];
  try {
    for (const [i, seed] of seeds.entries()) {
      if (Date.now() > stopAt) break;
      const result = await simulateSeed({ dynamoDbEndpoint: dynamo.endpoint, sns }, seed, i === 0 || options.twice === true);
      results.push(result);
      const failed = allHeld(totalsOf([result])) === false;
      if (failed || options.verbose || options.seed !== undefined) process.stdout.write(`${explain(result).join('\n')}\n`);
      // A long simulation shows where it is (on stderr: stdout stays the seeds' results and the line).
      if ((i + 1) % 50 === 0 && i + 1 < seeds.length)
        process.stderr.write(`after ${i + 1} of ${seeds.length} seeds: ${chaosLine(totalsOf(results))}\n`);
    }
  } finally {
    await sns.stop();
    await dynamo.stop();
  }
  const totals = totalsOf(results);
  process.stdout.write(`${chaosLine(totals)}\n`);
  process.exitCode = allHeld(totals) ? 0 : 1;
}

main().catch((error: unknown) => {
  // A bad option is the caller's mistake: its message alone; anything else with its stack.
  const text = error instanceof RangeError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`chaos: ${text}\n`);
  process.exitCode = 1;
});
