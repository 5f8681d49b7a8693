import { Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

/**
 * The one metrics registry of a process, with Node's default metrics (event loop, heap, GC,
 * file descriptors) registered exactly once. The node wiring calls this and hands the result
 * to every subsystem as `CoreModules.registry`.
 */
export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Content type of `registry.metrics()` (Prometheus text format 0.0.4). */
export function metricsContentType(registry: Registry): string {
  return registry.contentType;
}

/**
 * Registers a gauge unless a metric of that name already exists (prom-client throws on a
 * second registration). Returns the existing metric when it is a gauge, undefined when
 * another subsystem owns the name with a different type, so the caller skips its updates.
 */
export function ensureGauge<L extends string = string>(
  registry: Registry,
  cfg: { name: string; help: string; labelNames?: readonly L[]; collect?: (this: Gauge<L>) => void },
): Gauge<L> | undefined {
  const existing: Metric | undefined = registry.getSingleMetric(cfg.name);
  if (existing) return existing instanceof Gauge ? (existing as Gauge<L>) : undefined;
  return new Gauge<L>({ ...cfg, labelNames: cfg.labelNames ?? [], registers: [registry] });
}

/** Metric names this subsystem owns; the docs and the e2e test check them. */
export const MONITOR_METRIC_NAMES = {
  gpuUtilization: 'miner_monitor_gpu_utilization_ratio',
  gpuTemperature: 'miner_monitor_gpu_temperature_celsius',
  gpuMemoryUsed: 'miner_monitor_gpu_memory_used_bytes',
  gpuMemoryTotal: 'miner_monitor_gpu_memory_total_bytes',
  gpuPower: 'miner_monitor_gpu_power_watts',
  cpuLoad: 'miner_monitor_cpu_load_ratio',
  memoryUsed: 'miner_monitor_memory_used_ratio',
  processRss: 'miner_monitor_process_resident_memory_bytes',
  processNative: 'miner_monitor_process_native_memory_bytes',
  diskUsed: 'miner_monitor_disk_used_ratio',
  eventLoopLag: 'miner_monitor_event_loop_lag_seconds',
  alarmActive: 'miner_monitor_alarm_active',
  servingRequestsPerSecond: 'miner_monitor_serving_requests_per_second',
  servingErrorRatio: 'miner_monitor_serving_error_ratio',
  servingLatency: 'miner_monitor_serving_latency_seconds',
  servingCacheHitRatio: 'miner_monitor_serving_cache_hit_ratio',
  standingIncentive: 'miner_standing_incentive_ratio',
  standingEmission: 'miner_standing_emission_rao',
  standingStake: 'miner_standing_stake_tao',
  standingDividends: 'miner_standing_dividends_ratio',
  standingPosition: 'miner_standing_position',
  standingMiners: 'miner_standing_miners_count',
  standingRegistered: 'miner_standing_registered',
  standingUid: 'miner_standing_uid',
} as const;
