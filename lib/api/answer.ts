import type { z } from 'zod';
import { json } from '../middleware/parse-http-request';
import type { Plain } from './schemas';

/** `unknown` when a value of type `T` would pass the schema `S`, otherwise a type no value has, naming the schema. */
type ConformsTo<T, S extends z.ZodType> = [Plain<T>] extends [z.input<S>] ? unknown : { 'the answer does not conform to the contract': S };

/**
 * A JSON answer of the HTTP API, typed by the contract: the body's type must be one the route's answer
 * schema (lib/api/schemas.ts) accepts, or the build fails. Nothing is parsed at run time: the schema
 * is there for the compiler (and for docs/openapi.json through lib/api/routes.ts).
 * @example return answer(200, discrepancyStateSchema, state);
 */
export function answer<S extends z.ZodType, T>(statusCode: 200 | 202, _schema: S, body: T & ConformsTo<T, S>) {
  return json(statusCode, body);
}
