import { describe, expect, it } from '@jest/globals';
import { FailureLimiter } from './failure-limiter.js';

describe('FailureLimiter', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('lets a client fail `limit` times per window, then says how many seconds to wait', () => {
    const time = clock();
    const limiter = new FailureLimiter(3, 60_000, time.now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('a')).toBe(0);
      limiter.recordFailure('a');
    }
    expect(limiter.retryAfter('a')).toBe(60);
    time.advance(59_001);
    expect(limiter.retryAfter('a')).toBe(1);
    time.advance(999);
    expect(limiter.retryAfter('a')).toBe(0);
    limiter.recordFailure('a');
    expect(limiter.retryAfter('a')).toBe(0);
  });

  it('keeps clients apart', () => {
    const limiter = new FailureLimiter(1, 60_000, clock().now);
    limiter.recordFailure('a');
    expect(limiter.retryAfter('a')).toBe(60);
    expect(limiter.retryAfter('b')).toBe(0);
  });

  it('forgets ended windows when many clients have failed', () => {
    const time = clock();
    const limiter = new FailureLimiter(1, 60_000, time.now);
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`old-${i}`);
    time.advance(60_000);
    limiter.recordFailure('new');
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
