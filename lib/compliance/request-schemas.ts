import { z } from 'zod';
import { CHECK_IDS } from '../domain/check-id';
import { queryInteger } from '../middleware/parse-http-request';

/** A discrepancy id as the API shows it: `check:userId:asset`. */
export const discrepancyIdPath = z.strictObject({
  id: z.string().regex(/^[a-z-]+:[\w*.@-]{1,100}:[\w*.-]{1,40}$/, { error: 'must be a discrepancy id (check:userId:asset)' }),
});

/** A user id, as the list filters and the assignee name one. */
const userId = z.string().regex(/^[\w.@-]{1,100}$/, { error: 'must be a user id' });

/** A run id in a path. */
export const runIdPath = z.strictObject({ id: z.string().regex(/^[\w.:-]{1,100}$/, { error: 'must be a run id' }) });

/** `GET /discrepancies` filters and paging. */
export const discrepancyListQuery = z.strictObject({
  status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
  severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  check: z.enum(CHECK_IDS, { error: `must be one of ${CHECK_IDS.join(', ')}` }).optional(),
  asset: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/, { error: 'must be an asset id' })
    .optional(),
  user: userId.optional(),
  limit: queryInteger(1, 100, 25),
  cursor: z.string().max(2000).optional(),
});

/**
 * `POST /discrepancies/{id}/{action}`: the note is required, it is the audit trail; `assign` also names
 * the assignee (its absence is answered 400 naming `body.assignee` by the action itself).
 */
export const discrepancyActionBody = z.strictObject({
  note: z
    .string({ error: 'a note is required' })
    .trim()
    .min(1, { error: 'a note is required' })
    .max(2000, { error: 'at most 2000 characters' }),
  assignee: userId.optional(),
});

/** The actions a person may take on a discrepancy (`POST /discrepancies/{id}/{action}`), maker-checker's included. */
export const DISCREPANCY_ACTIONS = ['acknowledge', 'assign', 'resolve', 'approve', 'reject'] as const;

/** The discrepancy and the action taken on it. */
export const discrepancyActionPath = discrepancyIdPath.extend({
  action: z.enum(DISCREPANCY_ACTIONS, { error: `must be one of ${DISCREPANCY_ACTIONS.join(', ')}` }),
});

/** `GET /discrepancies/totals`: the list's filters, without paging. */
export const discrepancyTotalsQuery = discrepancyListQuery.omit({ limit: true, cursor: true });

/** `GET /runs?limit=&cursor=`: runs newest first. */
export const runListQuery = z.strictObject({ limit: queryInteger(1, 100, 25), cursor: z.string().max(2000).optional() });

/** `GET /history/verify?limit=&cursor=`: a page of discrepancies whose history chains are checked. */
export const historyVerifyQuery = z.strictObject({ limit: queryInteger(1, 100, 50), cursor: z.string().max(2000).optional() });

/** `POST /dev/token` (local stage only): who to sign in as, and with which access. */
export const devTokenBody = z.strictObject({
  sub: z.string().regex(/^[\w.@-]{1,100}$/, { error: 'must be a user name (letters, digits, . @ _ -)' }),
  access: z.enum(['read', 'act']).default('act'),
});
