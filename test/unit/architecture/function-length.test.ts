import { describe, expect, it } from 'vitest';
import { functionLengths } from '../../../scripts/quality/function-lengths';

/** Issue 17: a function of lib/ is read at once, so it is at most this many lines long. */
const LIMIT = 60;

const all = functionLengths('lib');
const key = (fn: { file: string; name: string }) => `${fn.file}#${fn.name}`;

describe(`functions of lib/ (at most ${LIMIT} lines)`, () => {
  it('finds the functions of lib/ (the rule measures something)', () => {
    expect(all.length).toBeGreaterThan(500);
    expect(all.map(key)).toContain('lib/domain/lifecycle.ts#observe');
  });

  it(`has no function over ${LIMIT} lines`, () => {
    const over = all.filter((fn) => fn.lines > LIMIT);
    expect(over.map((fn) => `${fn.file}:${fn.line} ${fn.name} (${fn.lines} lines)`)).toEqual([]);
  });
});
