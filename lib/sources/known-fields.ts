import { z } from 'zod';

/**
 * The field names an answer's schema knows at one level of the answer, and the levels below it.
 * Derived from the zod schema itself ({@link knownFieldsOf}), so the schema stays the one list of
 * documented fields and drift inspection cannot fall out of step with it.
 */
export interface KnownLevel {
  /** The value at this level is an array of such objects (`data[]`), not one object (`paging`). */
  readonly list: boolean;
  /** Every field name an object at this level may carry. */
  readonly fields: ReadonlySet<string>;
  /** The levels below, by the field that holds them; a field typed `unknown` has none (it is opaque). */
  readonly nested: ReadonlyMap<string, KnownLevel>;
}

/**
 * The known fields of every object level of a schema: an object's keys; through optional,
 * nullable, default and pipe (`.transform`) wrappers; into array elements; and, for a union, the
 * fields of all its options together (either shape is documented, so neither's fields are drift).
 *
 * @example
 * knownFieldsOf(z.object({ paging: z.object({ page: z.number() }), data: z.array(z.object({ id: z.string() })) }))
 * // { list: false, fields: {paging, data}, nested: { paging: {page}, data: { list: true, fields: {id} } } }
 * @throws {TypeError} when the schema has no object level at all (a programming error).
 */
export function knownFieldsOf(schema: z.core.$ZodType): KnownLevel {
  const level = merge(objectsOf(schema, false));
  if (!level) throw new TypeError('knownFieldsOf: the schema has no object level');
  return level;
}

interface ObjectAt {
  list: boolean;
  object: z.ZodObject;
}

function objectsOf(schema: z.core.$ZodType, list: boolean): ObjectAt[] {
  if (schema instanceof z.ZodObject) return [{ list, object: schema }];
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return objectsOf(schema.unwrap(), list);
  }
  if (schema instanceof z.ZodPipe) return objectsOf(schema.in, list);
  if (schema instanceof z.ZodArray) return objectsOf(schema.element, true);
  if (schema instanceof z.ZodUnion) return schema.options.flatMap((option) => objectsOf(option, list));
  return [];
}

function merge(levels: readonly ObjectAt[]): KnownLevel | undefined {
  if (levels.length === 0) return undefined;
  const fields = new Set<string>();
  const below = new Map<string, ObjectAt[]>();
  for (const { object } of levels) {
    for (const [field, type] of Object.entries(object.shape)) {
      fields.add(field);
      const objects = objectsOf(type, false);
      if (objects.length > 0) below.set(field, [...(below.get(field) ?? []), ...objects]);
    }
  }
  const nested = new Map<string, KnownLevel>();
  for (const [field, objects] of below) {
    const level = merge(objects);
    if (level) nested.set(field, level);
  }
  return { list: levels.some((level) => level.list), fields, nested };
}
