import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/index.js';
import { TokenBucketLimiter } from '../../../src/axon/rateLimiter.js';

describe('TokenBucketLimiter', () => {
  it('allows the burst, then the rate', () => {
    const clock = new ManualClock();
    const l = new TokenBucketLimiter({ ratePerSec: 10, burst: 5, maxKeys: 10 }, clock);
    const first = Array.from({ length: 7 }, () => l.take('k'));
    expect(first).toEqual([true, true, true, true, true, false, false]);
    clock.advance(100);
    expect(l.take('k')).toBe(true);
    expect(l.take('k')).toBe(false);
    clock.advance(10_000);
    expect(Array.from({ length: 6 }, () => l.take('k')).filter(Boolean)).toHaveLength(5);
  });

  it('keys are independent', () => {
    const l = new TokenBucketLimiter({ ratePerSec: 1, burst: 1, maxKeys: 10 }, new ManualClock());
    expect(l.take('a')).toBe(true);
    expect(l.take('a')).toBe(false);
    expect(l.take('b')).toBe(true);
  });

  it('tracks at most maxKeys keys, forgetting the least recently seen', () => {
    const l = new TokenBucketLimiter({ ratePerSec: 1, burst: 1, maxKeys: 3 }, new ManualClock());
    for (let i = 0; i < 1000; i++) l.take(`k${i}`);
    expect(l.size()).toBe(3);
  });
});
