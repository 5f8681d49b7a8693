import { describe, expect, it } from 'vitest';
import { InFlight } from '../../../src/cache/inFlight.js';
import type { RequestContext } from '../../../src/synapse/index.js';
import { ManualClock, MinerError } from '../../../src/util/index.js';
import { ctxFor, settleWith } from './cacheTestKit.js';

const clock = new ManualClock();
const later = async <T>(ms: number, v: T): Promise<T> => {
  await clock.sleep(ms);
  return v;
};

describe('InFlight', () => {
  it('the shared computation sees the highest priority and the latest deadline of its waiters', async () => {
    const f = new InFlight<number>(clock, 10);
    let seen: RequestContext | undefined;
    const run = async (c: RequestContext) => {
      seen = c;
      return later(30, 1);
    };
    const a = f.join('k', { ...ctxFor(clock, 'A', { deadlineInMs: 1_000 }), priority: 1 }, run)!;
    const b = f.join('k', { ...ctxFor(clock, 'B', { deadlineInMs: 9_000 }), priority: 50 }, run)!;
    expect([a.joined, b.joined]).toEqual([false, true]);
    await settleWith(clock, Promise.all([a.result, b.result]));
    expect(seen!.priority).toBe(50);
    expect(seen!.deadlineMs).toBeGreaterThan(clock.now() + 8_000);
    expect(seen!.callerHotkey).toBe('A');
    expect(f.size).toBe(0);
  });

  it('a full table answers undefined so the caller runs unshared; different keys never share', async () => {
    const f = new InFlight<number>(clock, 1);
    const a = f.join('k1', ctxFor(clock), () => later(20, 1));
    expect(a).toBeDefined();
    expect(f.join('k2', ctxFor(clock), () => later(20, 2))).toBeUndefined();
    expect(f.join('k1', ctxFor(clock), () => later(20, 3))!.joined).toBe(true);
    expect(await settleWith(clock, a!.result)).toBe(1);
  });

  it('a waiter that is already aborted leaves at once with the abort reason', async () => {
    const f = new InFlight<number>(clock, 10);
    const ac = new AbortController();
    ac.abort(new MinerError('SHUTTING_DOWN', 'stopping'));
    const other = f.join('k', ctxFor(clock), () => later(30, 7))!;
    const gone = f.join('k', ctxFor(clock, 'B', { signal: ac.signal }), () => later(30, 8))!;
    await expect(gone.result).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(await settleWith(clock, other.result)).toBe(7);
  });
});
