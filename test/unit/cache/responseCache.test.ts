import { afterEach, describe, expect, it } from 'vitest';
import { ResponseCache, type CacheOutcome } from '../../../src/cache/index.js';
import { MinerError, systemClock } from '../../../src/util/index.js';
import { CountingSynapse, ManualClock, cacheOpts, ctxFor, directExecutor, modulesFor, bodies, runUntil, settleWith } from './cacheTestKit.js';

const caches: ResponseCache[] = [];
async function makeCache(over: Record<string, unknown> = {}, clock = systemClock(), onOutcome?: (id: string, o: CacheOutcome) => void) {
  const modules = modulesFor(clock);
  const cache = new ResponseCache(cacheOpts(over, onOutcome ? { onOutcome } : {}), modules);
  await cache.start();
  caches.push(cache);
  return { cache, modules };
}
afterEach(async () => {
  for (const c of caches.splice(0)) await c.stop();
});

const policy = (p: string, extra: Record<string, unknown> = {}) => ({ synapses: { Counting: { policy: p, ...extra } } });

describe('ResponseCache', () => {
  it('100 concurrent identical requests run the handler once and all get the answer', async () => {
    const clock = new ManualClock();
    const outcomes: CacheOutcome[] = [];
    const { cache } = await makeCache(policy('shared'), clock, (_id, o) => outcomes.push(o));
    const syn = new CountingSynapse();
    syn.clock = clock;
    syn.delayMs = 30;
    const exec = bodies(cache.wrap(directExecutor));
    const answers = await settleWith(clock, Promise.all(Array.from({ length: 100 }, (_, i) => exec.execute(syn, { x: 21 }, ctxFor(clock, `V${i}`)))));
    expect(syn.runs).toBe(1);
    expect(answers.every((a) => a['y'] === 42)).toBe(true);
    expect(outcomes.filter((o) => o === 'miss')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'coalesced')).toHaveLength(99);
    // Each caller owns its copy: mutating one answer cannot change another or the cache.
    answers[0]!['y'] = 0;
    expect(answers[1]!['y']).toBe(42);
    // Nested parts are shared and frozen: a caller that tried to change them would fail loudly.
    expect(Object.isFrozen(answers[1]!['nested'])).toBe(true);
    expect(() => {
      (answers[2]!['nested'] as { k: number }).k = 1;
    }).toThrow(TypeError);
    const again = await exec.execute(syn, { x: 21 }, ctxFor(clock));
    expect(again['y']).toBe(42);
    expect(syn.runs).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, coalesced: 99 });
  });

  it('shared: a second validator gets the stored answer; per-validator: each validator its own', async () => {
    const clock = systemClock();
    const shared = await makeCache(policy('shared'), clock);
    const syn = new CountingSynapse();
    const ex = bodies(shared.cache.wrap(directExecutor));
    await ex.execute(syn, { x: 1 }, ctxFor(clock, 'A'));
    await ex.execute(syn, { x: 1 }, ctxFor(clock, 'B'));
    expect(syn.runs).toBe(1);

    const pv = await makeCache(policy('per-validator'), clock);
    const syn2 = new CountingSynapse();
    const ex2 = bodies(pv.cache.wrap(directExecutor));
    const a1 = await ex2.execute(syn2, { x: 1 }, ctxFor(clock, 'A'));
    const b1 = await ex2.execute(syn2, { x: 1 }, ctxFor(clock, 'B'));
    const a2 = await ex2.execute(syn2, { x: 1 }, ctxFor(clock, 'A'));
    const b2 = await ex2.execute(syn2, { x: 1 }, ctxFor(clock, 'B'));
    expect(syn2.runs).toBe(2);
    expect(a1['run']).toBe(1);
    expect(b1['run']).toBe(2);
    expect(a2).toEqual(a1);
    expect(b2).toEqual(b1);
  });

  it('off never stores but still shares a computation in flight; with dedup off it bypasses', async () => {
    const clock = new ManualClock();
    const { cache } = await makeCache(policy('off'), clock);
    const syn = new CountingSynapse();
    syn.clock = clock;
    const ex = bodies(cache.wrap(directExecutor));
    await ex.execute(syn, { x: 5 }, ctxFor(clock));
    await ex.execute(syn, { x: 5 }, ctxFor(clock));
    expect(syn.runs).toBe(2);
    expect(cache.stats().memory.entries).toBe(0);
    syn.delayMs = 20;
    await settleWith(clock, Promise.all([1, 2, 3].map(() => ex.execute(syn, { x: 5 }, ctxFor(clock)))));
    expect(syn.runs).toBe(3);

    const outcomes: CacheOutcome[] = [];
    const noDedup = await makeCache(policy('off', { dedupInFlight: false }), clock, (_i, o) => outcomes.push(o));
    const syn2 = new CountingSynapse();
    syn2.clock = clock;
    syn2.delayMs = 10;
    const ex2 = bodies(noDedup.cache.wrap(directExecutor));
    await settleWith(clock, Promise.all([1, 2, 3].map(() => ex2.execute(syn2, { x: 5 }, ctxFor(clock)))));
    expect(syn2.runs).toBe(3);
    expect(outcomes).toEqual(['bypass', 'bypass', 'bypass']);
  });

  it('a failed computation reaches every waiter and the next request tries again', async () => {
    const clock = new ManualClock();
    const { cache } = await makeCache(policy('shared'), clock);
    const syn = new CountingSynapse();
    syn.clock = clock;
    syn.delayMs = 20;
    syn.failNext = 1;
    const ex = bodies(cache.wrap(directExecutor));
    const settled = await settleWith(clock, Promise.allSettled(Array.from({ length: 5 }, () => ex.execute(syn, { x: 9 }, ctxFor(clock)))));
    expect(syn.runs).toBe(1);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(MinerError);
      expect(((s as PromiseRejectedResult).reason as MinerError).code).toBe('INFERENCE_FAILED');
    }
    const ok = await settleWith(clock, ex.execute(syn, { x: 9 }, ctxFor(clock)));
    expect(ok['y']).toBe(18);
    expect(syn.runs).toBe(2);
  });

  it("a waiter past its deadline gets 408 while the others get the answer; the first caller's abort fails nobody else", async () => {
    const clock = new ManualClock();
    const { cache } = await makeCache(policy('shared'), clock);
    const syn = new CountingSynapse();
    syn.clock = clock;
    syn.delayMs = 120;
    const ex = bodies(cache.wrap(directExecutor));
    const firstAbort = new AbortController();
    const first = ex.execute(syn, { x: 4 }, ctxFor(clock, 'A', { signal: firstAbort.signal }));
    const short = ex.execute(syn, { x: 4 }, ctxFor(clock, 'B', { deadlineInMs: 30 }));
    const patient = ex.execute(syn, { x: 4 }, ctxFor(clock, 'C', { deadlineInMs: 5_000 }));
    clock.setTimeout(() => firstAbort.abort(new MinerError('DEADLINE_EXCEEDED', 'caller went away')), 10);
    const [r1, r2, r3] = await settleWith(clock, Promise.allSettled([first, short, patient]));
    expect(r1.status).toBe('rejected');
    expect(r2.status).toBe('rejected');
    expect(((r2 as PromiseRejectedResult).reason as MinerError).code).toBe('DEADLINE_EXCEEDED');
    expect(((r2 as PromiseRejectedResult).reason as MinerError).spec.status).toBe(408);
    expect(r3.status).toBe('fulfilled');
    expect((r3 as PromiseFulfilledResult<Record<string, unknown>>).value['y']).toBe(8);
    expect(syn.runs).toBe(1);
    expect(syn.lastSignal?.aborted).toBe(false);
    // The shared computation saw the latest deadline of its waiters, not the first caller's.
    expect(syn.lastDeadlineMs).toBeGreaterThan(clock.now() + 4_000);
  });

  it('when every waiter has gone the shared computation is aborted and the key is free again', async () => {
    const clock = new ManualClock();
    const { cache } = await makeCache(policy('shared'), clock);
    const syn = new CountingSynapse();
    syn.clock = clock;
    syn.delayMs = 100;
    const ex = bodies(cache.wrap(directExecutor));
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const p = Promise.allSettled([
      ex.execute(syn, { x: 2 }, ctxFor(clock, 'A', { signal: ac1.signal })),
      ex.execute(syn, { x: 2 }, ctxFor(clock, 'B', { signal: ac2.signal })),
    ]);
    await runUntil(clock, () => syn.runs === 1);
    ac1.abort();
    ac2.abort();
    await p;
    expect(syn.lastSignal?.aborted).toBe(true);
    expect(cache.stats().inFlight).toBe(0);
    const fresh = await settleWith(clock, ex.execute(syn, { x: 2 }, ctxFor(clock)));
    expect(fresh['y']).toBe(4);
    expect(syn.runs).toBe(2);
  });

  it('entries expire after their TTL (clock injected into the LRU)', async () => {
    const clock = new ManualClock();
    const { cache } = await makeCache({ memory: { ttlMs: 1_000 }, ...policy('shared') }, clock);
    const syn = new CountingSynapse();
    const ex = bodies(cache.wrap(directExecutor));
    await ex.execute(syn, { x: 3 }, ctxFor(clock));
    clock.advance(999);
    await ex.execute(syn, { x: 3 }, ctxFor(clock));
    expect(syn.runs).toBe(1);
    clock.advance(2);
    await ex.execute(syn, { x: 3 }, ctxFor(clock));
    expect(syn.runs).toBe(2);
  });

  it('a per-synapse ttlMs shortens the tier TTL', async () => {
    const clock = new ManualClock();
    const { cache } = await makeCache({ memory: { ttlMs: 60_000 }, ...policy('shared', { ttlMs: 100 }) }, clock);
    const syn = new CountingSynapse();
    const ex = bodies(cache.wrap(directExecutor));
    await ex.execute(syn, { x: 3 }, ctxFor(clock));
    clock.advance(101);
    await ex.execute(syn, { x: 3 }, ctxFor(clock));
    expect(syn.runs).toBe(2);
  });

  it('memory stays within its byte bound under a stream of large answers, and counts evictions', async () => {
    const clock = systemClock();
    const maxBytes = 200_000;
    const { cache, modules } = await makeCache({ memory: { maxBytes, maxEntries: 10_000 }, ...policy('shared') }, clock);
    const syn = new CountingSynapse();
    const ex = bodies(cache.wrap(directExecutor));
    for (let i = 0; i < 200; i++) {
      await ex.execute(syn, { x: i, pad: 30_000 + (i % 7) * 1_000 }, ctxFor(clock));
      expect(cache.stats().memory.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(cache.stats().memory.entries).toBeLessThan(8);
    const metrics = await modules.registry.getSingleMetricAsString('miner_cache_evictions_total');
    expect(metrics).toMatch(/tier="memory"} (1[89]\d)/);
    const over = await ex.execute(syn, { x: -1, pad: 300_000 }, ctxFor(clock));
    expect(over['y']).toBe(-2);
    expect(cache.stats().memory.bytes).toBeLessThanOrEqual(maxBytes);
  });

  it('unlisted synapses follow defaultPolicy; disabled cache passes everything through', async () => {
    const clock = systemClock();
    const { cache } = await makeCache({ defaultPolicy: 'shared', synapses: {} }, clock);
    const syn = new CountingSynapse('Other');
    const ex = bodies(cache.wrap(directExecutor));
    await ex.execute(syn, { x: 1 }, ctxFor(clock));
    await ex.execute(syn, { x: 1 }, ctxFor(clock));
    expect(syn.runs).toBe(1);
    const off = await makeCache({ enabled: false, ...policy('shared') }, clock);
    const syn2 = new CountingSynapse();
    const ex2 = bodies(off.cache.wrap(directExecutor));
    expect(await ex2.outcome(syn2, { x: 1 }, ctxFor(clock))).toBe('bypass');
    await ex2.execute(syn2, { x: 1 }, ctxFor(clock));
    expect(syn2.runs).toBe(2);
  });

  it('exports the cache metrics and stats', async () => {
    const clock = systemClock();
    const { cache, modules } = await makeCache(policy('shared'), clock);
    const syn = new CountingSynapse();
    const ex = bodies(cache.wrap(directExecutor));
    await ex.execute(syn, { x: 1 }, ctxFor(clock));
    expect(await ex.outcome(syn, { x: 1 }, ctxFor(clock))).toBe('hit');
    const text = await modules.registry.metrics();
    expect(text).toContain('miner_cache_requests_total{tier="memory",result="hit"} 1');
    expect(text).toContain('miner_cache_requests_total{tier="memory",result="miss"} 1');
    expect(text).toMatch(/miner_cache_entries_count{tier="memory"} 1/);
    expect(text).toMatch(/miner_cache_size_bytes{tier="memory"} \d+/);
    expect(text).toContain('miner_cache_coalesced_total 0');
    expect(cache.stats().hitRate).toBeCloseTo(0.5);
    expect(await cache.clear()).toEqual({ memory: 1 });
    await ex.execute(syn, { x: 1 }, ctxFor(clock));
    expect(syn.runs).toBe(2);
  });
});
