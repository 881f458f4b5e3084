import { z } from 'zod';
import { CHECK_IDS } from '../domain/check-id';
/** Upper bounds of a scoped run: beyond them, run the whole book. */
export const SCOPE_LIMITS = { users: 1000, assets: 100 } as const;

/**
 * What a run covers: some users, some assets, some checks, some venues. Left out, everything. A
 * scoped run judges only what it covers: it resolves only what it checked, and it leaves the
 * per-asset totals `unknown` when it does not read every user.
 */
export const runScopeSchema = z.strictObject({
  users: z
    .array(z.string().regex(/^[\w.@-]{1,100}$/, { error: 'must be a user id' }))
    .min(1)
    .max(SCOPE_LIMITS.users, { error: `at most ${SCOPE_LIMITS.users} users: run the whole book instead` })
    .optional(),
  assets: z
    .array(z.string().regex(/^[a-z0-9_-]{1,40}$/, { error: 'must be an asset id' }))
    .min(1)
    .max(SCOPE_LIMITS.assets, { error: `at most ${SCOPE_LIMITS.assets} assets` })
    .optional(),
  checks: z
    .array(z.enum(CHECK_IDS, { error: `must be one of ${CHECK_IDS.join(', ')}` }))
    .min(1)
    .optional(),
  sources: z
    .array(z.enum(['backoffice', 'reporting', 'multimarkets', 'indx'], { error: 'must be backoffice, reporting, multimarkets or indx' }))
    .min(1)
    .optional(),
});

/** A parsed scope. */
export type RunScope = z.infer<typeof runScopeSchema>;
