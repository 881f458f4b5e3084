import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routeHash } from '../../../console/src/routes';

describe('parseRoute', () => {
  it('names each page of the console', () => {
    expect(parseRoute('#/breaks')).toEqual({ page: 'breaks', filter: {} });
    expect(parseRoute('#/runs')).toEqual({ page: 'runs' });
    expect(parseRoute('#/runs/r-20261207T051143Z-ae5c99c8')).toEqual({ page: 'run', id: 'r-20261207T051143Z-ae5c99c8' });
    expect(parseRoute('#/trends')).toEqual({ page: 'trends' });
  });

  it('decodes a break id, colons and all', () => {
    expect(parseRoute('#/breaks/cross-source%3Au1%3Abtc')).toEqual({ page: 'break', id: 'cross-source:u1:btc' });
    expect(parseRoute('#/breaks/cross-source:u1:btc')).toEqual({ page: 'break', id: 'cross-source:u1:btc' });
  });

  it('reads the known, non-empty filters of the Breaks page and ignores the rest', () => {
    expect(parseRoute('#/breaks?severity=high&status=&asset=%20btc%20&colour=red')).toEqual({
      page: 'breaks',
      filter: { severity: 'high', asset: 'btc' },
    });
  });

  it('makes the Breaks page the home of anything unknown', () => {
    expect(parseRoute('')).toEqual({ page: 'breaks', filter: {} });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'breaks', filter: {} });
  });
});

describe('routeHash', () => {
  it('is the inverse of parseRoute', () => {
    const routes: Route[] = [
      { page: 'breaks', filter: {} },
      { page: 'breaks', filter: { severity: 'critical', check: 'cross-source', user: 'a.b@c' } },
      { page: 'break', id: 'cross-source:u/1:btc' },
      { page: 'runs' },
      { page: 'run', id: 'r-1' },
      { page: 'trends' },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });
});
