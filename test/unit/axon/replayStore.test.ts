import { describe, expect, it } from 'vitest';
import { ReplayStore, btauthReplayKey, epistulaReplayKey } from '../../../src/axon/replayStore.js';
import { ManualClock } from '../../../src/util/index.js';

describe('ReplayStore', () => {
  it('records a key once and refuses it again while retained', () => {
    const clock = new ManualClock();
    const store = new ReplayStore({ maxEntries: 10, retainMs: 12_000 }, clock);
    expect(store.has('a')).toBe(false);
    expect(store.record('a')).toBe('ok');
    expect(store.has('a')).toBe(true);
    expect(store.record('a')).toBe('replay');
    clock.advance(11_999);
    expect(store.record('a')).toBe('replay');
    clock.advance(1);
    expect(store.has('a')).toBe(false);
    expect(store.record('a')).toBe('ok');
    expect(store.size).toBe(1);
  });

  it('expires in insertion order on sweep', () => {
    const clock = new ManualClock();
    const store = new ReplayStore({ maxEntries: 100, retainMs: 2_000 }, clock);
    for (let i = 0; i < 10; i++) {
      store.record(`k${i}`);
      clock.advance(100);
    }
    expect(store.size).toBe(10);
    expect(store.sweep()).toBe(0);
    clock.advance(1_450);
    expect(store.sweep()).toBe(5);
    expect(store.size).toBe(5);
    expect(store.has('k4')).toBe(false);
    expect(store.has('k5')).toBe(true);
    clock.advance(10_000);
    expect(store.sweep()).toBe(5);
    expect(store.size).toBe(0);
  });

  it('when full of live entries refuses new keys and never evicts one', () => {
    const clock = new ManualClock();
    const store = new ReplayStore({ maxEntries: 3, retainMs: 1_000 }, clock);
    for (const k of ['a', 'b', 'c']) expect(store.record(k)).toBe('ok');
    expect(store.record('d')).toBe('full');
    expect(store.size).toBe(3);
    for (const k of ['a', 'b', 'c']) expect(store.record(k)).toBe('replay');
    clock.advance(1_000);
    expect(store.record('d')).toBe('ok');
    expect(store.size).toBe(1);
  });

  it('room made by expiry is used without an explicit sweep', () => {
    const clock = new ManualClock();
    const store = new ReplayStore({ maxEntries: 2, retainMs: 1_000 }, clock);
    store.record('a');
    clock.advance(500);
    store.record('b');
    clock.advance(500);
    expect(store.record('c')).toBe('ok');
    expect(store.record('b')).toBe('replay');
    expect(store.record('d')).toBe('full');
  });

  it('a clock stepping back does not resurrect or lose entries', () => {
    const clock = new ManualClock(10_000);
    const store = new ReplayStore({ maxEntries: 10, retainMs: 1_000 }, clock);
    store.record('a');
    clock.advance(-5_000);
    expect(store.record('a')).toBe('replay');
    expect(store.record('b')).toBe('ok');
    clock.advance(5_000);
    expect(store.record('b')).toBe('ok');
  });

  it('keys of the two forms never collide', () => {
    expect(btauthReplayKey('5Grw', '123')).toBe('5Grw|123');
    expect(epistulaReplayKey('5Grw', '123')).not.toBe(btauthReplayKey('5Grw', '123'));
  });

  it('refuses a useless configuration', () => {
    expect(() => new ReplayStore({ maxEntries: 0, retainMs: 1 }, new ManualClock())).toThrow(RangeError);
    expect(() => new ReplayStore({ maxEntries: 1, retainMs: 0 }, new ManualClock())).toThrow(RangeError);
  });
});
