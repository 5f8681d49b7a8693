import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/index.js';
import { NonceStore } from '../../../src/axon/nonceStore.js';

const MS = 1_000_000n;
const opts = { maxFutureMs: 2_000, allowedDeltaMs: 4_000, maxEntries: 3, maxTimeoutMs: 60_000 };

describe('NonceStore', () => {
  it('accepts a fresh first nonce and then only strictly larger ones, per hotkey+uuid', () => {
    const clock = new ManualClock();
    const s = new NonceStore(opts, clock);
    const n = clock.nowNs();
    expect(s.commit('hk', 'u1', n, 12_000).ok).toBe(true);
    expect(s.check('hk', 'u1', n, 12_000).ok).toBe(false);
    expect(s.check('hk', 'u1', n - 1n, 12_000).ok).toBe(false);
    expect(s.check('hk', 'u1', n + 1n, 12_000).ok).toBe(true);
    expect(s.check('hk', 'u2', n, 12_000).ok).toBe(true);
    expect(s.check('other', 'u1', n, 12_000).ok).toBe(true);
  });

  it('refuses a first nonce older than now - allowedDelta - timeout', () => {
    const clock = new ManualClock();
    const s = new NonceStore(opts, clock);
    const now = clock.nowNs();
    expect(s.check('hk', 'u', now - 15_000n * MS, 12_000).ok).toBe(true);
    expect(s.check('hk', 'u', now - 16_000n * MS, 12_000).ok).toBe(false);
    expect(s.check('hk', 'u', now - 16_000n * MS, 30_000).ok).toBe(true);
    // The timeout is capped: a huge one does not widen the window past maxTimeoutMs.
    expect(s.check('hk', 'u', now - 70_000n * MS, 3_600_000).ok).toBe(false);
  });

  it('refuses nonces too far in the future', () => {
    const clock = new ManualClock();
    const s = new NonceStore(opts, clock);
    expect(s.check('hk', 'u', clock.nowNs() + 1_999n * MS, 12_000).ok).toBe(true);
    const v = s.check('hk', 'u', clock.nowNs() + 2_001n * MS, 12_000);
    expect(v.ok).toBe(false);
  });

  it('commit re-checks, so two requests with one nonce cannot both pass', () => {
    const clock = new ManualClock();
    const s = new NonceStore(opts, clock);
    const n = clock.nowNs();
    expect(s.check('hk', 'u', n, 12_000).ok).toBe(true);
    expect(s.check('hk', 'u', n, 12_000).ok).toBe(true);
    expect(s.commit('hk', 'u', n, 12_000).ok).toBe(true);
    expect(s.commit('hk', 'u', n, 12_000).ok).toBe(false);
  });

  it('is bounded: refuses new keys when full of live entries, frees expired ones', () => {
    const clock = new ManualClock();
    const s = new NonceStore(opts, clock);
    for (const u of ['a', 'b', 'c']) expect(s.commit('hk', u, clock.nowNs(), 12_000).ok).toBe(true);
    const full = s.check('hk', 'd', clock.nowNs(), 12_000);
    expect(full).toMatchObject({ ok: false, full: true });
    // Existing keys keep working while full.
    expect(s.check('hk', 'a', clock.nowNs() + 1n, 12_000).ok).toBe(true);
    clock.advance(64_001);
    expect(s.commit('hk', 'd', clock.nowNs(), 12_000).ok).toBe(true);
    expect(s.size()).toBeLessThanOrEqual(3);
  });

  it('an expired entry cannot be replayed: the old nonce fails the age test', () => {
    const clock = new ManualClock();
    const s = new NonceStore(opts, clock);
    const n = clock.nowNs();
    s.commit('hk', 'u', n, 60_000);
    clock.advance(64_001);
    s.sweep();
    expect(s.size()).toBe(0);
    expect(s.check('hk', 'u', n, 60_000).ok).toBe(false);
  });
});
