import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/index.js';
import { createMinerMetrics } from '../../../src/metrics/index.js';
import { ServingReporter, ServingStats } from '../../../src/monitor/index.js';
import { captureLogger } from './fixtures.js';

function setup() {
  const { logger, lines } = captureLogger();
  const clock = new ManualClock(5_000_000);
  const registry = new Registry();
  const stats = new ServingStats({ windowMs: 10_000 }, { clock });
  const reporter = new ServingReporter(
    { cron: '*/60 * * * * *', thresholds: { errorRatePercent: 1, p95LatencyMs: 500 }, minRequestsForAlarm: 20 },
    {
      logger,
      metrics: createMinerMetrics(registry).monitor,
      clock,
      signal: new AbortController().signal,
      stats,
      cacheStats: () => ({ hitRate: 0.25, memory: { hits: 1, misses: 3 } }),
      queueDepth: () => ({ OCRSynapse: 7 }),
      batchSizes: () => ({ rec: { mean: 12.5, max: 64 } }),
    },
  );
  return { lines, clock, registry, stats, reporter };
}

describe('ServingReporter', () => {
  it('logs the serving report with stable fields and exports gauges', async () => {
    const { lines, stats, reporter, registry } = setup();
    for (let i = 1; i <= 100; i++) stats.observe({ synapse: 'Dummy', status: 200, durationMs: i, transport: 'ws', cache: i <= 75 ? 'hit' : 'miss' });
    await reporter.reportNow();
    const r = lines.find((l) => l['msg'] === 'serving report');
    expect(r).toMatchObject({
      level: 'info',
      module: 'monitor',
      event: 'serving',
      windowSeconds: 10,
      requests: 100,
      requestsPerSecond: 10,
      errorRatio: 0,
      byStatus: { '200': 100 },
      latencyMs: { p50: 50, p95: 95, p99: 99 },
      synapses: { Dummy: { requests: 100, requestsPerSecond: 10, p50Ms: 50, p95Ms: 95, p99Ms: 99 } },
      cache: { hit: 75, miss: 25, hitRate: 0.75, tiers: { hitRate: 0.25, memory: { hits: 1, misses: 3 } } },
      queueDepth: { OCRSynapse: 7 },
      batches: { rec: { mean: 12.5, max: 64 } },
    });
    const m = await registry.metrics();
    expect(m).toMatch(/^miner_monitor_serving_requests_per_second 10$/m);
    expect(m).toMatch(/^miner_monitor_serving_latency_seconds\{synapse="Dummy",quantile="0\.95"\} 0\.095$/m);
    expect(m).toMatch(/^miner_monitor_serving_cache_hit_ratio 0\.75$/m);
  });

  it("reports hit rate and gauge over the window, not the cache's lifetime ratio", async () => {
    const { lines, stats, reporter, registry, clock } = setup();
    for (let i = 0; i < 10; i++) stats.observe({ synapse: 'Dummy', status: 200, durationMs: 1, transport: 'ws', cache: 'hit' });
    clock.advance(20_000);
    for (let i = 0; i < 4; i++) stats.observe({ synapse: 'Dummy', status: 200, durationMs: 1, transport: 'ws', cache: i === 0 ? 'hit' : 'miss' });
    await reporter.reportNow();
    const r = lines.filter((l) => l['msg'] === 'serving report').at(-1);
    expect(r?.['cache']).toMatchObject({ hit: 1, miss: 3, hitRate: 0.25 });
    expect(await registry.metrics()).toMatch(/^miner_monitor_serving_cache_hit_ratio 0\.25$/m);
  });

  it('warns once when the error rate or p95 crosses, and informs once on recovery', async () => {
    const { lines, stats, reporter, clock } = setup();
    const traffic = (n: number, status: number, ms: number) => {
      for (let i = 0; i < n; i++) stats.observe({ synapse: 'OCRSynapse', status, durationMs: ms, transport: 'http' });
    };
    traffic(5, 500, 900); // too few requests to judge
    await reporter.reportNow();
    expect(lines.filter((l) => l['level'] === 'warn')).toHaveLength(0);
    traffic(95, 200, 900);
    for (let i = 0; i < 3; i++) await reporter.reportNow();
    const warns = lines.filter((l) => l['msg'] === 'threshold crossed');
    expect(warns.map((w) => w['alarm']).sort()).toEqual(['error_rate', 'p95_latency']);
    expect(warns.find((w) => w['alarm'] === 'error_rate')).toMatchObject({ value: 5, threshold: 1, unit: 'percent' });
    expect(reporter.activeAlarms().sort()).toEqual(['error_rate', 'p95_latency']);
    clock.advance(20_000);
    traffic(200, 200, 10);
    for (let i = 0; i < 3; i++) await reporter.reportNow();
    const infos = lines.filter((l) => l['msg'] === 'threshold recovered');
    expect(infos.map((w) => w['alarm']).sort()).toEqual(['error_rate', 'p95_latency']);
    expect(lines.filter((l) => l['msg'] === 'threshold crossed')).toHaveLength(2);
    expect(reporter.activeAlarms()).toEqual([]);
  });

  it('survives a provider that throws', async () => {
    const { logger, lines } = captureLogger();
    const clock = new ManualClock();
    const reporter = new ServingReporter(
      { cron: '* * * * *', thresholds: { errorRatePercent: 1, p95LatencyMs: 500 } },
      {
        logger,
        metrics: null,
        clock,
        signal: new AbortController().signal,
        stats: new ServingStats({}, { clock }),
        queueDepth: () => {
          throw new Error('boom');
        },
      },
    );
    expect((await reporter.reportNow())['queueDepth']).toBeNull();
    expect(lines.some((l) => l['msg'] === 'serving report')).toBe(true);
  });

  it("reads batch sizes from the batchers' histogram since the previous report when no batchSizes provider is wired", async () => {
    const { logger } = captureLogger();
    const clock = new ManualClock();
    const h = new Histogram({ name: 'batch_size_items', help: 'x', labelNames: ['model'], buckets: [1, 2, 4, 8, 16, 32, 64], registers: [] });
    const reporter = new ServingReporter(
      { cron: '* * * * *', thresholds: { errorRatePercent: 1, p95LatencyMs: 500 } },
      {
        logger,
        metrics: null,
        batchHistogram: h,
        clock,
        signal: new AbortController().signal,
        stats: new ServingStats({}, { clock }),
      },
    );
    for (const n of [3, 5, 30, 60]) h.observe({ model: 'rec' }, n);
    h.observe({ model: 'det' }, 1);
    expect((await reporter.reportNow())['batches']).toEqual({
      rec: { count: 4, mean: 24.5, p50: 8, p95: 64 },
      det: { count: 1, mean: 1, p50: 1, p95: 1 },
    });
    h.observe({ model: 'rec' }, 2);
    expect((await reporter.reportNow())['batches']).toEqual({
      rec: { count: 1, mean: 2, p50: 2, p95: 2 },
      det: { count: 0, mean: null, p50: null, p95: null },
    });
  });

  it('takes hysteresis and the request minimum from monitor.thresholds', async () => {
    const { logger, lines } = captureLogger();
    const clock = new ManualClock();
    const stats = new ServingStats({ windowMs: 5_000 }, { clock });
    const reporter = new ServingReporter(
      { cron: '* * * * *', thresholds: { errorRatePercent: 10, p95LatencyMs: 1e6, minRequests: 2, hysteresisPercent: 50 } },
      {
        logger,
        metrics: createMinerMetrics(new Registry()).monitor,
        clock,
        signal: new AbortController().signal,
        stats,
      },
    );
    stats.observe({ synapse: 'Dummy', status: 500, durationMs: 1, transport: 'ws' });
    stats.observe({ synapse: 'Dummy', status: 200, durationMs: 1, transport: 'ws' });
    await reporter.reportNow();
    expect(reporter.activeAlarms()).toEqual(['error_rate']);
    // 1 in 16 (6.25 %) is under the 10 % threshold but not under 10 % - 50 % of it: still crossed.
    for (let i = 0; i < 14; i++) stats.observe({ synapse: 'Dummy', status: 200, durationMs: 1, transport: 'ws' });
    await reporter.reportNow();
    expect(reporter.activeAlarms()).toEqual(['error_rate']);
    expect(lines.filter((l) => l['msg'] === 'threshold recovered')).toHaveLength(0);
  });
});
