import { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../errors';

/** The claim roles are read from unless `AUTH_ROLES_CLAIM` names another: Cognito's user-pool groups. */
export const DEFAULT_ROLES_CLAIM = 'cognito:groups';
/** The role that may read (list and get discrepancies, get runs, export) unless `AUTH_READ_ROLE` names another. */
export const DEFAULT_READ_ROLE = 'compliance-read';
/** The role that may also act (acknowledge, resolve) and start runs unless `AUTH_ACT_ROLE` names another. */
export const DEFAULT_ACT_ROLE = 'compliance';

/** What a function lets its caller do: `read` (look) or `act` (change a discrepancy, start a run). */
export type Access = 'read' | 'act';

/** Which claim holds the roles and which role names grant what: configured once per function. */
export interface RolePolicy {
  claim: string;
  readRole: string;
  actRole: string;
}

/** The defaults of {@link RolePolicy}. */
export const DEFAULT_ROLE_POLICY: RolePolicy = { claim: DEFAULT_ROLES_CLAIM, readRole: DEFAULT_READ_ROLE, actRole: DEFAULT_ACT_ROLE };

/** A roles claim as a verified token carries it: an array of names, or one name as a string. */
const rolesClaimValue = z.union([z.array(z.string()), z.string().transform((name) => [name])]).optional();

/**
 * The roles a verified token grants: the exact strings of one claim, never split, never from
 * `scope`. A group named `not compliance` is that one name, and matches no other.
 * @throws {UnauthorizedError} when the claim is neither a name nor a list of names.
 * @example rolesFrom({ sub: 'alice', 'cognito:groups': ['Finance compliance'] }, 'cognito:groups') // ['Finance compliance']
 */
export function rolesFrom(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  const roles = rolesClaimValue.safeParse(claims[claim]);
  if (!roles.success) throw new UnauthorizedError(`token claim "${claim}" is not a list of role names`);
  return roles.data ?? [];
}

/**
 * Lets a caller through only when one of its roles grants `access`: the act role grants both,
 * the read role only `read`. Names compare exactly (case and spaces included).
 * @throws {ForbiddenError} naming the role that would have let it through.
 * @example requireAccess({ sub: 'bob', roles: ['compliance-read'] }, 'act', DEFAULT_ROLE_POLICY) // throws ForbiddenError (role "compliance")
 */
export function requireAccess<C extends { sub: string; roles: readonly string[] }>(caller: C, access: Access, policy: RolePolicy): C {
  const granting = access === 'act' ? [policy.actRole] : [policy.readRole, policy.actRole];
  if (!caller.roles.some((role) => granting.includes(role))) throw new ForbiddenError(caller.sub, granting.join('" or "'));
  return caller;
}
