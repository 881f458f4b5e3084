import { describe, expect, it } from 'vitest';
import { MULTIMARKETS_RATE_LIMIT, RollingWindowLimiter } from '../../../sandbox/rate-limiter';

describe('the MultiMarkets rolling-window limiter', () => {
  const setup = () => {
    let now = 1_700_000_000_000;
    const clock = { advance: (ms: number) => (now += ms) };
    return { limiter: new RollingWindowLimiter(MULTIMARKETS_RATE_LIMIT, () => now), clock };
  };

  it('allows 100 requests per companyId in 60 s and throttles the 101st until the oldest leaves the window', () => {
    const { limiter, clock } = setup();
    for (let i = 0; i < 100; i++) {
      expect(limiter.check('1001', 'ip').kind).toBe('allow');
      clock.advance(100);
    }
    expect(limiter.check('1001', 'ip')).toEqual({ kind: 'throttle', retryAfterSeconds: 50 });
    expect(limiter.check('2002', 'other-ip').kind).toBe('allow');
  });

  it('bans the client for 5 minutes when it calls during the throttle penalty, then lets it back in', () => {
    const { limiter, clock } = setup();
    for (let i = 0; i < 100; i++) limiter.check('1001', 'ip');
    expect(limiter.check('1001', 'ip').kind).toBe('throttle');
    clock.advance(1000);
    expect(limiter.check('1001', 'ip')).toEqual({ kind: 'ban', retryAfterSeconds: 300 });
    clock.advance(299_000);
    expect(limiter.check('1001', 'ip')).toEqual({ kind: 'ban', retryAfterSeconds: 1 });
    clock.advance(1000);
    expect(limiter.check('1001', 'ip').kind).toBe('allow');
  });

  it('does not ban a client that waits out Retry-After', () => {
    const { limiter, clock } = setup();
    for (let i = 0; i < 100; i++) limiter.check('1001', 'ip');
    const throttled = limiter.check('1001', 'ip');
    expect(throttled.kind).toBe('throttle');
    clock.advance((throttled.kind === 'throttle' ? throttled.retryAfterSeconds : 0) * 1000);
    expect(limiter.check('1001', 'ip').kind).toBe('allow');
  });
});

describe('an injected throttle penalty', () => {
  const setup = () => {
    let now = 1_700_000_000_000;
    const clock = { advance: (ms: number) => (now += ms) };
    return { limiter: new RollingWindowLimiter(MULTIMARKETS_RATE_LIMIT, () => now), clock };
  };

  it('bans a client that calls under the penalized key before Retry-After has passed, like a real 429', () => {
    const { limiter, clock } = setup();
    limiter.penalize('1001', 2);
    expect(limiter.refusing('1001', 'ip')).toBe(true);
    expect(limiter.refusing('2002', 'ip')).toBe(false);
    clock.advance(1999);
    expect(limiter.check('1001', 'ip')).toEqual({ kind: 'ban', retryAfterSeconds: 300 });
    clock.advance(10_000);
    expect(limiter.check('1001', 'ip').kind).toBe('ban');
    expect(limiter.check('1001', 'other-ip').kind).toBe('allow');
  });

  it('lets a client that waits out Retry-After through, and changes nothing when asked only whether it would refuse', () => {
    const { limiter, clock } = setup();
    limiter.penalize('1001', 2);
    limiter.penalize('1001', 1); // a shorter penalty never shortens the open one
    clock.advance(1000);
    expect(limiter.refusing('1001', 'ip')).toBe(true);
    expect(limiter.refusing('1001', 'ip')).toBe(true);
    clock.advance(1000);
    expect(limiter.refusing('1001', 'ip')).toBe(false);
    expect(limiter.check('1001', 'ip').kind).toBe('allow');
    limiter.penalize('1001', 0);
    expect(limiter.check('1001', 'ip').kind).toBe('allow');
  });
});
