import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allHeld, chaosLine, type SeedResult, simulateSeed, totalsOf } from '../../scripts/chaos/simulate';

/** Seeds `npm test` simulates; `npm run chaos -- --seeds N` runs more. */
const SEEDS = 50;

describe('the seeded fault simulation (sandbox over HTTP, DynamoDB Local, the real SNS publisher on the emulator)', () => {
  let sns: Awaited<ReturnType<typeof startFauxqs>>;
  const results: SeedResult[] = [];
  beforeAll(async () => {
    sns = await startFauxqs({ port: 0, logger: false });
  });
  afterAll(async () => {
    await sns?.stop();
  });

  it(`keeps every invariant over ${SEEDS} seeds: nothing false, lost, duplicated, crashed or nondeterministic`, {
    timeout: 600_000,
  }, async () => {
    for (let seed = 1; seed <= SEEDS; seed++)
      results.push(await simulateSeed({ dynamoDbEndpoint: inject('dynamoDbEndpoint'), sns }, seed, seed === 1));
    const totals = totalsOf(results);
    const failing = results.filter((result) => !allHeld(totalsOf([result]))).map((result) => result.seed);
    expect({ line: chaosLine(totals), failing }).toEqual({
      line: expect.stringMatching(/ 0 false, 0 lost, 0 duplicate, 0 crashes, 0 nondeterministic /),
      failing: [],
    });
  });
});
