import { describe, expect, it } from 'vitest';
import { typeCasts } from '../../../scripts/quality/type-casts';

/**
 * DynamoDB items (lib/store) and upstream answers (lib/sources) are parsed with a schema, never
 * asserted to a type: no cast there but `as const`.
 */
const found = [...typeCasts('lib/store'), ...typeCasts('lib/sources')];

describe('type casts in lib/store and lib/sources (none but `as const`)', () => {
  it('sees a cast in the syntax tree, and not `as const`', () => {
    expect(typeCasts('test/fixtures/type-casts').map((cast) => cast.type)).toEqual(['Record<string, unknown>']);
  });

  it('finds none in lib/store and lib/sources', () => {
    expect(found.map((cast) => `${cast.file}:${cast.line} as ${cast.type}`)).toEqual([]);
  });
});
