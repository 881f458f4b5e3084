import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DriftLog } from '../../../lib/sources/drift';
import { knownFieldsOf } from '../../../lib/sources/known-fields';

const schema = z.object({
  paging: z.object({ page: z.number(), per_page: z.number().optional() }).transform((paging) => paging.page),
  echo: z.unknown().optional(),
  data: z.array(
    z.union([
      z.object({ id: z.string(), error: z.string() }),
      z.object({ id: z.string(), rows: z.array(z.object({ a: z.string() })).nullish() }),
    ]),
  ),
});

describe('knownFieldsOf', () => {
  it('knows every option of a union, through transforms and nullish arrays, and leaves unknown-typed fields opaque', () => {
    const known = knownFieldsOf(schema);
    expect([...known.fields]).toEqual(['paging', 'echo', 'data']);
    expect([...(known.nested.get('paging')?.fields ?? [])]).toEqual(['page', 'per_page']);
    expect(known.nested.get('data')).toMatchObject({ list: true, fields: new Set(['id', 'error', 'rows']) });
    expect([...(known.nested.get('data')?.nested.get('rows')?.fields ?? [])]).toEqual(['a']);
    expect(known.nested.has('echo')).toBe(false);
  });

  it('lets DriftLog name the level of each unknown field, and ignore what is inside an opaque one', () => {
    const drift = new DriftLog();
    const body = {
      x: 1,
      echo: { anything: 1 },
      paging: { page: 1, size: 2 },
      data: [
        {
          id: 'a',
          rows: [
            { a: '1', b: 2 },
            { a: '2', b: 3 },
          ],
        },
      ],
    };
    drift.inspectAnswer('reporting', 'e', body, knownFieldsOf(schema));
    expect(drift.drain()).toEqual([
      { source: 'reporting', endpoint: 'e', fields: ['x'], rows: 1 },
      { source: 'reporting', endpoint: 'e paging', fields: ['size'], rows: 1 },
      { source: 'reporting', endpoint: 'e data[].rows[]', fields: ['b'], rows: 2 },
    ]);
  });
});
