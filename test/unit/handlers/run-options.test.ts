import { describe, expect, it } from 'vitest';
import {
  directRunEvent,
  manualRunBody,
  manualRunOptions,
  runOptionsSchema,
  scheduledEvent,
  toRunRequest,
} from '../../../lib/handlers/run-options';

const schedule = { type: 'schedule' as const, eventId: 'e1' };

describe('toRunRequest', () => {
  it('gives the run the trigger, the id and the options asked, the as-of as a date', () => {
    const request = toRunRequest(
      { asOf: '2026-11-22T10:00:00+02:00', dryRun: true, rebuild: true, scope: { users: ['u1'] } },
      schedule,
      'schedule-e1',
    );
    expect(request).toEqual({
      runId: 'schedule-e1',
      trigger: schedule,
      asOf: new Date('2026-11-22T08:00:00Z'),
      dryRun: true,
      rebuild: true,
      scope: { users: ['u1'] },
    });
  });

  it('leaves out what was not asked, and a false dry run or rebuild', () => {
    expect(toRunRequest({ dryRun: false, rebuild: false }, schedule, 'r1')).toStrictEqual({ runId: 'r1', trigger: schedule });
  });
});

describe('manualRunOptions', () => {
  it('gathers the body’s top-level scope fields into a scope and drops requestedBy', () => {
    const body = manualRunBody.parse({ users: ['u1'], checks: ['roll-forward'], dryRun: true, requestedBy: 'someone-else' });
    expect(manualRunOptions(body)).toStrictEqual({ dryRun: true, scope: { users: ['u1'], checks: ['roll-forward'] } });
  });

  it('asks no scope for a body without one: the whole book', () => {
    expect(manualRunOptions(manualRunBody.parse({}))).toStrictEqual({});
  });
});

describe('the run-option envelopes', () => {
  it('refuse unknown fields in the options, a direct invoke and a POST /runs body', () => {
    for (const schema of [runOptionsSchema, directRunEvent, manualRunBody]) {
      const result = schema.safeParse({ colour: 'red' });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
    }
  });

  it('accept the fields EventBridge adds to a scheduled event, and refuse a malformed time', () => {
    expect(scheduledEvent.safeParse({ id: 'e1', source: 'aws.events', 'detail-type': 'Scheduled Event', account: '1' }).success).toBe(true);
    expect(scheduledEvent.safeParse({ id: 'e1', source: 'aws.events', time: 'yesterday' }).success).toBe(false);
  });

  it('apply the same scope rules to a direct invoke as to a POST /runs body', () => {
    const users = Array.from({ length: 1001 }, (_, i) => `u${i}`);
    expect(directRunEvent.safeParse({ scope: { users } }).error?.issues[0]?.message).toMatch(/at most 1000 users/);
    expect(manualRunBody.safeParse({ users }).error?.issues[0]?.message).toMatch(/at most 1000 users/);
  });
});
