import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestGate } from '../../../lib/sources/pacing/request-gate';
import { SimulatedClock } from '../../support/simulated-clock';

/** Queues one call per duration at once; each call takes its duration of simulated time. Returns when each started and ended. */
async function runQueued(gate: RequestGate, clock: SimulatedClock, durations: number[]) {
  let active = 0;
  let maxActive = 0;
  const spans = await Promise.all(
    durations.map((duration) =>
      gate.run(async () => {
        const start = clock.elapsed();
        maxActive = Math.max(maxActive, ++active);
        await clock.sleep(duration);
        active--;
        return { start, end: clock.elapsed() };
      }),
    ),
  );
  return { spans, maxActive };
}

describe('RequestGate', () => {
  it('starts queued calls one interval apart, or as soon as the previous call ends if it ran longer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: 8_000 }), { minLength: 1, maxLength: 12 }),
        async (interval, durations) => {
          const clock = new SimulatedClock();
          const { spans } = await runQueued(new RequestGate(interval, clock), clock, durations);
          expect(spans[0]?.start).toBe(0);
          for (let i = 1; i < spans.length; i++) {
            const previous = spans[i - 1] as { start: number; end: number };
            expect(spans[i]?.start).toBe(Math.max(previous.start + interval, previous.end));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never lets two calls overlap', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 2, maxLength: 10 }), async (durations) => {
        const clock = new SimulatedClock();
        const { spans, maxActive } = await runQueued(new RequestGate(100, clock), clock, durations);
        expect(maxActive).toBe(1);
        for (let i = 1; i < spans.length; i++) expect(spans[i]?.start).toBeGreaterThanOrEqual(spans[i - 1]?.end ?? Number.NaN);
      }),
      { numRuns: 40 },
    );
  });

  it('holds every later call after holdFor, then resumes the spacing', async () => {
    const clock = new SimulatedClock();
    const gate = new RequestGate(1_000, clock);
    const starts: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((index) =>
        gate.run(async () => {
          starts.push(clock.elapsed());
          if (index === 0) gate.holdFor(30_000);
        }),
      ),
    );
    expect(starts).toEqual([0, 30_000, 31_000, 32_000]);
  });

  it('does not shorten the spacing when held for less than the interval', async () => {
    const clock = new SimulatedClock();
    const gate = new RequestGate(1_000, clock);
    const starts: number[] = [];
    await Promise.all(
      [0, 1].map((index) =>
        gate.run(async () => {
          starts.push(clock.elapsed());
          if (index === 0) gate.holdFor(10);
        }),
      ),
    );
    expect(starts).toEqual([0, 1_000]);
  });

  it('passes a failing call its error and keeps serving the queue behind it', async () => {
    const clock = new SimulatedClock();
    const gate = new RequestGate(500, clock);
    const failing = gate.run(async () => {
      throw new Error('upstream down');
    });
    const next = gate.run(async () => clock.elapsed());
    await expect(failing).rejects.toThrow('upstream down');
    expect(await next).toBe(500);
  });
});
