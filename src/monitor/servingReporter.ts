import type { Histogram } from 'prom-client';
import type { CoreModules, Logger, Service } from '../util/index.js';
import { CronJob, assertCron } from './cronJob.js';
import { moduleLogger } from './moduleLogger.js';
import type { MonitorMetrics, ServingMetrics } from '../metrics/index.js';
import type { ServingSnapshot } from './servingStats.js';
import { HistogramDelta } from './histogramDelta.js';
import { ThresholdAlarms } from './thresholdAlarms.js';

export interface ServingReporterOpts {
  /** node-cron expression (config `monitor.servingCron`). */
  cron: string;
  /** `monitor.thresholds`; its hysteresisPercent and minRequests apply unless given below. */
  thresholds: { errorRatePercent: number; p95LatencyMs: number; hysteresisPercent?: number; minRequests?: number };
  hysteresisPercent?: number;
  /** Alarms on error rate and p95 wait for this many requests in the window, so three requests and one error is no alarm. */
  minRequestsForAlarm?: number;
}

/**
 * Whatever the cache reports about itself (lifetime figures, tier sizes); shown under
 * `cache.tiers`. The report's own hit/miss/hitRate are the window's, counted from the axon.
 */
export interface CacheStatsView {
  hitRate?: number | null;
}

export interface ServingReporterModules extends CoreModules {
  /** The rolling serving statistics (a ServingStats the axon feeds). */
  stats: { snapshot(): ServingSnapshot };
  cacheStats?: () => CacheStatsView | undefined;
  queueDepth?: () => number | Record<string, number>;
  /** The monitor's metrics (serving gauges and the alarm gauge); null runs without. */
  metrics: MonitorMetrics | null;
  /** Batch sizes; without it they are read from `batchHistogram` (the inference batchers' batch size histogram). */
  batchSizes?: () => unknown;
  batchHistogram?: Histogram<'model'> | null;
}

const r3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

/** Periodic serving report (rates, latency per synapse, errors, cache, queue, batches) and the error-rate and p95 alarms. */
export class ServingReporter implements Service {
  readonly name = 'serving-reporter';
  private readonly log: Logger;
  private readonly job: CronJob;
  private readonly alarms: ThresholdAlarms;
  private readonly gauges: ServingMetrics | null;
  private readonly batchHistogram: HistogramDelta | null;

  constructor(
    private readonly opts: ServingReporterOpts,
    private readonly modules: ServingReporterModules,
  ) {
    assertCron(opts.cron, 'monitor.servingCron');
    this.log = moduleLogger(modules.logger);
    this.job = new CronJob(
      opts.cron,
      'serving-report',
      async () => {
        await this.reportNow();
      },
      this.log,
    );
    this.batchHistogram = modules.batchHistogram ? new HistogramDelta(modules.batchHistogram, 'model') : null;
    this.alarms = new ThresholdAlarms(
      [
        { name: 'error_rate', threshold: opts.thresholds.errorRatePercent, unit: 'percent' },
        { name: 'p95_latency', threshold: opts.thresholds.p95LatencyMs, unit: 'ms' },
      ],
      { hysteresisRatio: (opts.hysteresisPercent ?? opts.thresholds.hysteresisPercent ?? 5) / 100 },
      { logger: this.log, gauge: modules.metrics?.alarmActive },
    );
    this.gauges = modules.metrics?.serving ?? null;
  }

  async start(): Promise<void> {
    this.job.start();
  }

  async stop(): Promise<void> {
    await this.job.stop();
  }

  /** Names of serving alarms now crossed. */
  activeAlarms(): string[] {
    return this.alarms.activeNames();
  }

  /** Builds, logs and returns one report; what the schedule calls. */
  async reportNow(): Promise<Record<string, unknown>> {
    const s = this.modules.stats.snapshot();
    const cache = this.safe(() => this.modules.cacheStats?.());
    const hitRate = s.cache.hitRate;
    const report = {
      event: 'serving',
      windowSeconds: s.windowSeconds,
      requests: s.requests,
      requestsPerSecond: r3(s.requestsPerSecond),
      errorRatio: r3(s.errorRatio),
      byStatus: s.byStatus,
      errorRateByStatus: Object.fromEntries(Object.entries(s.errorRateByStatus).map(([k, v]) => [k, r3(v)])),
      latencyMs: { p50: r3(s.overall.p50Ms), p95: r3(s.overall.p95Ms), p99: r3(s.overall.p99Ms) },
      synapses: Object.fromEntries(
        Object.entries(s.synapses).map(([name, l]) => [
          name,
          {
            requests: l.requests,
            requestsPerSecond: r3(l.requestsPerSecond),
            p50Ms: r3(l.p50Ms),
            p95Ms: r3(l.p95Ms),
            p99Ms: r3(l.p99Ms),
          },
        ]),
      ),
      cache: { ...s.cache, hitRate: r3(hitRate), ...(cache ? { tiers: cache } : {}) },
      transports: s.transports,
      queueDepth: this.safe(() => this.modules.queueDepth?.()) ?? null,
      batches: (await this.batches()) ?? null,
    };
    this.log.info(report, 'serving report');
    this.updateGauges(s, hitRate);
    this.checkAlarms(s);
    return report;
  }

  private checkAlarms(s: ServingSnapshot): void {
    if (s.requests < (this.opts.minRequestsForAlarm ?? this.opts.thresholds.minRequests ?? 20)) return;
    this.alarms.update('error_rate', s.errorRatio * 100, { requests: s.requests, byStatus: s.byStatus });
    this.alarms.update('p95_latency', s.overall.p95Ms, { requests: s.requests });
  }

  private updateGauges(s: ServingSnapshot, hitRate: number | null): void {
    const g = this.gauges;
    if (!g) return;
    g.requestsPerSecond.set(s.requestsPerSecond);
    g.errorRatio.set(s.errorRatio);
    if (hitRate !== null) g.cacheHitRatio.set(hitRate);
    g.latency.reset();
    for (const [synapse, l] of Object.entries(s.synapses)) {
      for (const [q, v] of [
        ['0.5', l.p50Ms],
        ['0.95', l.p95Ms],
        ['0.99', l.p99Ms],
      ] as const) {
        if (v !== null) g.latency.set({ synapse, quantile: q }, v / 1000);
      }
    }
  }

  private async batches(): Promise<unknown> {
    if (this.modules.batchSizes) return this.safe(() => this.modules.batchSizes?.());
    if (!this.batchHistogram) return undefined;
    try {
      return await this.batchHistogram.read();
    } catch (err) {
      this.log.debug({ err }, 'batch sizes unavailable');
      return undefined;
    }
  }

  /** A provider that throws must not cost the report. */
  private safe<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.log.debug({ err }, 'serving report input failed');
      return undefined;
    }
  }
}
