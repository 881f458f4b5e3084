import type { RunScope } from '../ports/run-scope';

/**
 * Whether a verdict's key is inside the scope. A user-level presence verdict says the user was
 * compared over every asset (it resolves the user's presence discrepancies not found again), which a
 * run judging only some assets has not done.
 */
export function inScope(scope: RunScope | undefined, verdict: { check: string; userId: string; asset: string }): boolean {
  if (!scope) return true;
  if (scope.checks && !(scope.checks as string[]).includes(verdict.check)) return false;
  if (scope.users && verdict.userId !== '*' && !scope.users.includes(verdict.userId)) return false;
  if (scope.assets && verdict.asset === '*' && verdict.check === 'presence') return false;
  if (scope.assets && verdict.asset !== '*' && !scope.assets.includes(verdict.asset)) return false;
  return true;
}
