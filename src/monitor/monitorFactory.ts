import type { MetagraphSource } from '../chain/index.js';
import type { MonitorConfig } from '../config/index.js';
import type { Histogram, Registry } from 'prom-client';
import type { MonitorMetrics } from '../metrics/index.js';
import type { CoreModules, Service } from '../util/index.js';
import { AdminServer, type HealthReport } from './adminServer.js';
import { HardwareMonitor } from './hardwareMonitor.js';
import { ServingReporter, type CacheStatsView } from './servingReporter.js';
import { ServingStats } from './servingStats.js';
import { StandingReporter, type StandingReporterModules } from './standingReporter.js';

export interface MonitorDeps {
  /** The miner's hotkey (ss58). */
  hotkey: string;
  metagraph: MetagraphSource;
  /** Immunity of the own uid, e.g. `() => metagraphSync.standing()?.immunity`. */
  immunity?: StandingReporterModules['immunity'];
  /** Health of the rest of the daemon (the monitors' alarms are added to it). */
  health: () => HealthReport | Promise<HealthReport>;
  cacheStats?: () => CacheStatsView | undefined;
  queueDepth?: () => number | Record<string, number>;
  batchSizes?: () => unknown;
  /** The inference batchers' batch size histogram, summarised in the serving report. */
  batchHistogram?: Histogram<'model'> | null;
  version?: string;
}

export interface MonitorModules extends CoreModules {
  /** The monitor's part of the miner's metrics; null runs without. */
  metrics: MonitorMetrics | null;
  /** The registry the admin server serves at /metrics. */
  registry: Registry;
}

export interface Monitor {
  /** Give this to the axon as its RequestObserver. */
  readonly stats: ServingStats;
  readonly standing: StandingReporter;
  readonly serving: ServingReporter;
  readonly hardware: HardwareMonitor;
  readonly admin: AdminServer | undefined;
  /** In start order; a ServiceGroup stops them in reverse. */
  readonly services: readonly Service[];
}

/** Builds the whole monitor from `config.monitor`; no I/O until the services start. */
export function createMonitor(cfg: MonitorConfig, deps: MonitorDeps, modules: MonitorModules): Monitor {
  const t = cfg.thresholds;
  const stats = new ServingStats({ windowMs: cfg.servingWindowMs }, modules);
  const standing = new StandingReporter(
    { hotkey: deps.hotkey, cron: cfg.standingCron },
    { ...modules, metagraph: deps.metagraph, ...(deps.immunity ? { immunity: deps.immunity } : {}) },
  );
  const serving = new ServingReporter(
    { cron: cfg.servingCron, thresholds: t, hysteresisPercent: t.hysteresisPercent, minRequestsForAlarm: t.minRequests },
    { ...modules, stats, ...optional(deps) },
  );
  const hardware = new HardwareMonitor(
    {
      cron: cfg.healthCron,
      reportCron: cfg.hardwareReportCron,
      diskPath: cfg.diskPath,
      thresholds: t,
      hysteresisPercent: t.hysteresisPercent,
      gpuCommandTimeoutMs: cfg.gpuCommandTimeoutMs,
    },
    modules,
  );
  const admin = cfg.admin.enabled
    ? new AdminServer(
        { host: cfg.admin.host, port: cfg.admin.port, version: deps.version ?? 'unknown' },
        { ...modules, health: deps.health, alarms: () => [...hardware.activeAlarms(), ...serving.activeAlarms()] },
      )
    : undefined;
  const services: Service[] = [hardware, standing, serving];
  if (admin) services.push(admin);
  return { stats, standing, serving, hardware, admin, services };
}

type Optional = Pick<MonitorDeps, 'cacheStats' | 'queueDepth' | 'batchSizes' | 'batchHistogram'>;

function optional(d: MonitorDeps): Optional {
  const out: Optional = {};
  if (d.cacheStats) out.cacheStats = d.cacheStats;
  if (d.queueDepth) out.queueDepth = d.queueDepth;
  if (d.batchSizes) out.batchSizes = d.batchSizes;
  if (d.batchHistogram) out.batchHistogram = d.batchHistogram;
  return out;
}
