import { describe, expect, it } from 'vitest';
import { endpointMatches, FaultRuleError, normalizeFaultRules, pathSegments } from '../../../sandbox/fault-rules';
import { addExtraField, driftTotal, renameKey, requestForPage, truncateBody } from '../../../sandbox/fault-transforms';
import { type JsonValue, parseJsonLossless, writeJson } from '../../../sandbox/json-text';

const roundTrip = (text: string, change: (v: unknown) => { value: unknown; changed: boolean }) => {
  const result = change(parseJsonLossless(text));
  return { text: writeJson(result.value as JsonValue), changed: result.changed };
};

describe('fault rule validation', () => {
  it('fills in ids, after and every mode default', () => {
    expect(
      normalizeFaultRules([
        { target: 'indx', mode: 'status' },
        { target: 'multimarkets', mode: 'rate-limit', times: 3 },
        { target: 'reporting', mode: 'extra-field' },
        { id: 'drift', target: 'reporting', endpoint: 'users', mode: 'total-drift', after: 2 },
      ]),
    ).toEqual([
      { id: 'rule-1', target: 'indx', mode: 'status', status: 503, after: 0 },
      { id: 'rule-2', target: 'multimarkets', mode: 'rate-limit', retryAfterSeconds: 1, after: 0, times: 3 },
      { id: 'rule-3', target: 'reporting', mode: 'extra-field', field: 'newField', value: 'x', after: 0 },
      { id: 'drift', target: 'reporting', endpoint: 'users', mode: 'total-drift', delta: 1, after: 2 },
    ]);
  });

  it('accepts integer parameters as lossless JSON literals but not as strings or fractions', () => {
    const parsed = parseJsonLossless('[{"target":"indx","mode":"latency","latencyMs":250}]');
    expect(normalizeFaultRules(parsed)).toMatchObject([{ latencyMs: 250 }]);
    expect(() => normalizeFaultRules(parseJsonLossless('[{"target":"indx","mode":"latency","latencyMs":2.5}]'))).toThrow(/latencyMs/);
    expect(() => normalizeFaultRules([{ target: 'indx', mode: 'latency', latencyMs: '250' }])).toThrow(FaultRuleError);
  });

  it('refuses an extra-field value that cannot be written exactly (a non-integer JS number)', () => {
    expect(() => normalizeFaultRules([{ target: 'indx', mode: 'extra-field', value: 0.1 }])).toThrow(/value/);
    expect(() => normalizeFaultRules([{ target: 'indx', mode: 'extra-field', value: { nested: [1, 'a', null] } }])).not.toThrow();
  });
});

describe('endpoint matching', () => {
  const matches = (endpoint: string, path: string) => endpointMatches(pathSegments(endpoint), pathSegments(path));

  it('matches whole trailing segments, case-sensitively, ignoring slashes at either end', () => {
    expect(matches('users/balances', '/back-api/reporting/reports/data/users/balances')).toBe(true);
    expect(matches('/balances/', '/back-api/backoffice/balances')).toBe(true);
    expect(matches('balances', '/back-api/reporting/reports/data/assets-and-balances')).toBe(false);
    expect(matches('users/balances', '/back-api/reporting/reports/data/users')).toBe(false);
    expect(matches('Balance', '/back-api/backoffice/user/abc/balance/')).toBe(false);
    expect(matches('Balance', '/api/v2/trade/Balance')).toBe(true);
  });

  it('lets * or {name} stand for one segment', () => {
    expect(matches('user/*/balance', '/back-api/backoffice/user/abc/balance')).toBe(true);
    expect(matches('user/{userId}/balance', '/back-api/backoffice/user/abc/balance')).toBe(true);
    expect(matches('user/*/balance', '/back-api/backoffice/balances')).toBe(false);
  });
});

describe('value-level drift', () => {
  const big = '{"data":[{"assetAmount":"1.5","n":9007199254740993.123456789012345678,"inner":{"assetAmount":1.10}}],"assetAmountX":1}';

  it('renames a key at every depth and writes every number literal back unchanged', () => {
    const out = roundTrip(big, (v) => renameKey(v, 'assetAmount', 'asset_amount'));
    expect(out).toEqual({ text: big.replaceAll('"assetAmount":', '"asset_amount":'), changed: true });
    expect(roundTrip(big, (v) => renameKey(v, 'absent', 'x'))).toEqual({ text: big, changed: false });
  });

  it('adds the extra key to data rows, a top-level array, or the data / value object, never overwriting', () => {
    expect(roundTrip(big, (v) => addExtraField(v, 'z', 'x')).text).toContain('"inner":{"assetAmount":1.10},"z":"x"}]');
    expect(roundTrip('[{"a":1},{"a":2,"z":0}]', (v) => addExtraField(v, 'z', 'x')).text).toBe('[{"a":1,"z":"x"},{"a":2,"z":0}]');
    expect(roundTrip('{"ok":true,"data":{"amount":"1"}}', (v) => addExtraField(v, 'z', 'x')).text).toBe(
      '{"ok":true,"data":{"amount":"1","z":"x"}}',
    );
    expect(roundTrip('{"code":0,"value":{"wmz":1.00}}', (v) => addExtraField(v, 'z', 'x')).text).toBe(
      '{"code":0,"value":{"wmz":1.00,"z":"x"}}',
    );
    expect(roundTrip('{"ok":false,"data":null}', (v) => addExtraField(v, 'z', 'x')).changed).toBe(false);
  });

  it('drifts paging.total exactly, and rewrites only the requested page of a request body', () => {
    expect(roundTrip('{"paging":{"page":2,"per_page":5,"total":20},"data":[]}', (v) => driftTotal(v, 3)).text).toBe(
      '{"paging":{"page":2,"per_page":5,"total":23},"data":[]}',
    );
    expect(requestForPage('{"filters":[{"from":0.10}],"paging":{"page":3,"perPage":7}}', 2)).toBe(
      '{"filters":[{"from":0.10}],"paging":{"page":2,"perPage":7}}',
    );
    expect(requestForPage('{"filters":[]}', 1)).toBeUndefined();
  });

  it('truncates to the first half, never splitting a surrogate pair', () => {
    expect(truncateBody('{"a":"bc"}')).toBe('{"a":');
    expect(truncateBody('ab😀cd')).toBe('ab');
  });
});
