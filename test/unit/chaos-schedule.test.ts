import { describe, expect, it } from 'vitest';
import { countByKind, drawSchedule, FAULT_KINDS } from '../../scripts/chaos/schedule';
import { chaosLine, totalsOf } from '../../scripts/chaos/simulate';

describe('drawSchedule', () => {
  it('draws the same book size and faults from the same seed, and others from another seed', () => {
    expect(drawSchedule(7)).toEqual(drawSchedule(7));
    expect(drawSchedule(7)).not.toEqual(drawSchedule(8));
  });

  it('draws every fault kind over a few hundred seeds', () => {
    const drawn = countByKind(Array.from({ length: 300 }, (_, i) => drawSchedule(i + 1).faults).flat());
    expect([...drawn.keys()].sort()).toEqual([...FAULT_KINDS].sort());
  });
});

describe('chaosLine', () => {
  it('prints the seeds, the faults and one count per invariant, then the faults by kind', () => {
    const schedule = drawSchedule(3);
    const result = {
      seed: 3,
      schedule,
      fired: new Map(),
      violations: { false: [], lost: ['a', 'b'], duplicate: ['c'], crashes: [] },
      nondeterministic: [],
      abandoned: 0,
      ms: 1,
    };
    const kinds = [...countByKind(schedule.faults)].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind} ${n}`);
    expect(chaosLine(totalsOf([result]))).toBe(
      `chaos: 1 seeds, ${schedule.faults.length} faults, 0 false, 2 lost, 1 duplicate, 0 crashes, 0 nondeterministic (${kinds.join(', ')})`,
    );
  });
});
