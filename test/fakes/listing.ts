import type { CreatedRange, ListedUser, ReportingPort, UserInfo } from '../../lib/ports/upstream';

/** The instant a fake listing gives its `i`-th user (0-based): one second apart, in the order given. */
export const createdAtOf = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

/**
 * `usersPage` over a fixed list of users, as the Reporting listing answers it: those created in the asked
 * `CreatedAt` range (users without `createdAt` get one by position, one second apart), in creation order,
 * in pages of `min(asked, cap)` users.
 */
export function fakeListing(
  users: readonly (UserInfo & { createdAt?: string })[],
  cap = Number.MAX_SAFE_INTEGER,
): ReportingPort['usersPage'] {
  const all: ListedUser[] = users.map((user, i) => ({ ...user, createdAt: user.createdAt ?? createdAtOf(i) }));
  return async (created: CreatedRange, page: number, askedSize: number) => {
    const inRange = all.filter(
      (user) => (!created.from || user.createdAt >= created.from) && (!created.to || user.createdAt <= created.to),
    );
    const size = Math.min(askedSize, cap);
    return { users: inRange.slice((page - 1) * size, page * size), total: inRange.length, pageSize: size };
  };
}
