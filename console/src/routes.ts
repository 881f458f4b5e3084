/**
 * The console's pages as hash routes (`#/breaks?severity=high`, `#/breaks/<id>`, `#/runs`, `#/runs/<id>`,
 * `#/trends`): the page survives a reload and a link can be shared, and the server serves one file.
 */

/** The filters of the Breaks page, as the API's `GET /discrepancies` query names them. */
export const BREAK_FILTERS = ['status', 'severity', 'check', 'asset', 'user'] as const;
export type BreakFilter = Partial<Record<(typeof BREAK_FILTERS)[number], string>>;

/** One page of the console and what it shows. */
export type Route =
  | { page: 'breaks'; filter: BreakFilter }
  | { page: 'break'; id: string }
  | { page: 'runs' }
  | { page: 'run'; id: string }
  | { page: 'trends' };

/**
 * The page a location hash names; anything unknown is the Breaks page, the console's home.
 * @example parseRoute('#/breaks/cross-source%3Au1%3Abtc') // { page: 'break', id: 'cross-source:u1:btc' }
 */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter((part) => part !== '');
  const id = parts[1] === undefined ? undefined : safeDecode(parts.slice(1).join('/'));
  if (parts[0] === 'runs') return id ? { page: 'run', id } : { page: 'runs' };
  if (parts[0] === 'trends') return { page: 'trends' };
  if (parts[0] === 'breaks' && id) return { page: 'break', id };
  return { page: 'breaks', filter: filterOf(new URLSearchParams(query)) };
}

/**
 * The hash of a route: the inverse of {@link parseRoute}.
 * @example routeHash({ page: 'breaks', filter: { severity: 'high' } }) // '#/breaks?severity=high'
 */
export function routeHash(route: Route): string {
  switch (route.page) {
    case 'break':
      return `#/breaks/${encodeURIComponent(route.id)}`;
    case 'run':
      return `#/runs/${encodeURIComponent(route.id)}`;
    case 'runs':
    case 'trends':
      return `#/${route.page}`;
    case 'breaks': {
      const query = new URLSearchParams(
        BREAK_FILTERS.flatMap((name) => (route.filter[name] ? [[name, route.filter[name]]] : [])),
      ).toString();
      return query ? `#/breaks?${query}` : '#/breaks';
    }
  }
}

/** The known, non-empty filters of a query. */
export function filterOf(params: URLSearchParams): BreakFilter {
  const filter: BreakFilter = {};
  for (const name of BREAK_FILTERS) {
    const value = params.get(name)?.trim();
    if (value) filter[name] = value;
  }
  return filter;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
