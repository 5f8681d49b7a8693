import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/index.js';
import { ServingStats, percentile } from '../../../src/monitor/index.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 0.5)).toBe(50);
    expect(percentile(v, 0.95)).toBe(95);
    expect(percentile(v, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('ServingStats', () => {
  it('computes rates, percentiles per synapse, errors by status and cache outcomes', () => {
    const clock = new ManualClock(1_000_000);
    const s = new ServingStats({ windowMs: 10_000 }, { clock });
    for (let i = 1; i <= 100; i++) s.observe({ synapse: 'Dummy', status: 200, durationMs: i, transport: 'ws', cache: i <= 40 ? 'hit' : 'miss' });
    for (let i = 1; i <= 10; i++) s.observe({ synapse: 'OCRSynapse', status: i <= 2 ? 503 : i <= 5 ? 401 : 200, durationMs: 1000 + i, transport: 'http' });
    const snap = s.snapshot();
    expect(snap.requests).toBe(110);
    expect(snap.requestsPerSecond).toBeCloseTo(11);
    expect(snap.synapses['Dummy']).toMatchObject({ requests: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 });
    expect(snap.synapses['OCRSynapse']).toMatchObject({ requests: 10, p50Ms: 1005, p99Ms: 1010 });
    expect(snap.byStatus).toEqual({ '200': 105, '401': 3, '503': 2 });
    expect(snap.errorRateByStatus['503']).toBeCloseTo(2 / 110);
    expect(snap.errorRateByStatus['401']).toBeCloseTo(3 / 110);
    expect(snap.errorRateByStatus['200']).toBeUndefined();
    // 401s are refusals of bad callers, not failures of the miner.
    expect(snap.errorRatio).toBeCloseTo(2 / 110);
    expect(snap.cache).toMatchObject({ hit: 40, miss: 60, hitRate: 0.4 });
    expect(snap.transports).toEqual({ http: 10, ws: 100 });
  });

  it('forgets requests that left the window', () => {
    const clock = new ManualClock(2_000_000);
    const s = new ServingStats({ windowMs: 5_000 }, { clock });
    for (let i = 0; i < 50; i++) s.observe({ synapse: 'Dummy', status: 500, durationMs: 900, transport: 'ws' });
    clock.advance(3_000);
    for (let i = 0; i < 10; i++) s.observe({ synapse: 'Dummy', status: 200, durationMs: 5, transport: 'ws' });
    expect(s.snapshot().requests).toBe(60);
    clock.advance(3_000);
    const snap = s.snapshot();
    expect(snap.requests).toBe(10);
    expect(snap.errorRatio).toBe(0);
    expect(snap.synapses['Dummy']).toMatchObject({ requests: 10, p99Ms: 5 });
    clock.advance(10_000);
    const empty = s.snapshot();
    expect(empty.requests).toBe(0);
    expect(empty.overall.p95Ms).toBeNull();
    expect(empty.synapses).toEqual({});
  });

  it('keeps memory bounded: latency ring and synapse names', () => {
    const clock = new ManualClock(3_000_000);
    const s = new ServingStats({ windowMs: 60_000, maxSamplesPerSynapse: 100, maxSynapses: 3 }, { clock });
    for (let i = 0; i < 1_000; i++) s.observe({ synapse: 'Dummy', status: 200, durationMs: i < 900 ? 1000 : 1, transport: 'ws' });
    for (let i = 0; i < 50; i++) s.observe({ synapse: `junk${i}`, status: 404, durationMs: 1, transport: 'http' });
    const snap = s.snapshot();
    // The ring holds the newest 100 samples only: all fast.
    expect(snap.synapses['Dummy']).toMatchObject({ requests: 1_000, p99Ms: 1 });
    expect(Object.keys(snap.synapses).sort()).toEqual(['Dummy', 'junk0', 'junk1', 'other']);
    expect(snap.synapses['other']?.requests).toBe(48);
  });
});
