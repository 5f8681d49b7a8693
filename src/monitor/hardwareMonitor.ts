import { statfs } from 'node:fs/promises';
import os from 'node:os';
import v8 from 'node:v8';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { CoreModules, Logger, Service } from '../util/index.js';
import { CronJob, assertCron } from './cronJob.js';
import { moduleLogger } from './moduleLogger.js';
import { GpuProbe, type ExecFn, type GpuSample } from './gpuProbe.js';
import type { MonitorMetrics, HardwareMetrics } from '../metrics/index.js';
import { ThresholdAlarms } from './thresholdAlarms.js';

export interface HardwareThresholds {
  gpuTempC: number;
  memoryPercent: number;
  diskPercent: number;
  eventLoopLagMs: number;
  /** Applies unless HardwareMonitorOpts.hysteresisPercent is given. */
  hysteresisPercent?: number;
}

export interface HardwareMonitorOpts {
  /** When to sample and check thresholds (config `monitor.healthCron`). */
  cron: string;
  /** When to log the info-level hardware report (config `monitor.hardwareReportCron`; default every 5 minutes). */
  reportCron?: string;
  /** Filesystem whose usage is watched (config `monitor.diskPath`). */
  diskPath: string;
  thresholds: HardwareThresholds;
  hysteresisPercent?: number;
  gpuCommandTimeoutMs?: number;
}

export interface HardwareSample {
  readonly gpus: readonly GpuSample[];
  readonly cpuLoadRatio: number;
  readonly memoryUsedRatio: number;
  readonly memoryTotalBytes: number;
  readonly processRssBytes: number;
  /** The main thread's V8 heap in use. */
  readonly processHeapUsedBytes: number;
  /** Resident memory outside the main V8 heap (processNativeBytes()). */
  readonly processNativeBytes: number;
  /** Buffers and typed arrays (inside processNativeBytes). */
  readonly processArrayBuffersBytes: number;
  /** The main V8 heap's capacity by space: a step here with a flat heap in use is V8 resizing, not a leak. */
  readonly processHeapSpacesBytes: HeapSpaces;
  readonly diskUsedRatio: number | null;
  readonly eventLoopLagMs: number | null;
}

/** Fraction of the filesystem in use as `df` counts it (reserved blocks excluded). */
export function diskUsedRatio(s: { blocks: number; bfree: number; bavail: number }): number | null {
  const used = s.blocks - s.bfree;
  const denom = used + s.bavail;
  return denom > 0 ? used / denom : null;
}

/**
 * Resident memory the main V8 heap does not account for: onnxruntime's arenas, sharp/libvips,
 * the worker threads' own heaps, Buffers, code and allocator overhead. Growth here with a flat
 * heap is a native leak or fragmentation, which the heap metrics never show.
 */
export function processNativeBytes(m: Pick<NodeJS.MemoryUsage, 'rss' | 'heapTotal'>): number {
  return Math.max(0, m.rss - m.heapTotal);
}

export interface HeapSpaces {
  /** The young generation (both semi-spaces), which V8 grows with the allocation rate. */
  readonly young: number;
  readonly old: number;
  /** Bytes of old space holding objects (live or not yet swept): capacity rising while this stays flat is fragmentation or V8's growth heuristics, both rising is retention. */
  readonly oldUsed: number;
  readonly code: number;
  /** Objects too large for a page (old and young large-object spaces). */
  readonly large: number;
}

/** Sizes (capacity, not use, except oldUsed) of the main thread's V8 heap spaces. */
export function heapSpaces(stats: readonly v8.HeapSpaceInfo[] = v8.getHeapSpaceStatistics()): HeapSpaces {
  const size = (...names: string[]): number => stats.filter((x) => names.includes(x.space_name)).reduce((n, x) => n + x.space_size, 0);
  return {
    young: size('new_space'),
    old: size('old_space'),
    oldUsed: stats.filter((x) => x.space_name === 'old_space').reduce((n, x) => n + x.space_used_size, 0),
    code: size('code_space', 'code_large_object_space'),
    large: size('large_object_space', 'new_large_object_space'),
  };
}

export interface HardwareMonitorModules extends CoreModules {
  /** The monitor's metrics (hardware gauges and the alarm gauge); null runs without. */
  metrics: MonitorMetrics | null;
  exec?: ExecFn;
}

const DEFAULT_REPORT_CRON = '30 */5 * * * *';
const r3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

/** Samples GPU, CPU, memory, disk and event-loop lag; exports gauges; warns once per crossed threshold. */
export class HardwareMonitor implements Service {
  readonly name = 'hardware-monitor';
  private readonly log: Logger;
  private readonly sampleJob: CronJob;
  private readonly reportJob: CronJob;
  private readonly gpu: GpuProbe;
  private readonly alarms: ThresholdAlarms;
  private readonly g: HardwareMetrics | null;
  private loop: IntervalHistogram | undefined;
  private last: HardwareSample | undefined;

  constructor(
    private readonly opts: HardwareMonitorOpts,
    modules: HardwareMonitorModules,
  ) {
    const reportCron = opts.reportCron ?? DEFAULT_REPORT_CRON;
    assertCron(opts.cron, 'monitor.healthCron');
    assertCron(reportCron, 'monitor.hardwareReportCron');
    this.log = moduleLogger(modules.logger);
    this.sampleJob = new CronJob(opts.cron, 'hardware-sample', () => this.sample().then(() => undefined), this.log);
    this.reportJob = new CronJob(reportCron, 'hardware-report', () => this.report(), this.log);
    this.gpu = new GpuProbe({ timeoutMs: opts.gpuCommandTimeoutMs ?? 5_000 }, modules.exec ? { logger: this.log, exec: modules.exec } : { logger: this.log });
    const t = opts.thresholds;
    this.alarms = new ThresholdAlarms(
      [
        { name: 'gpu_temperature', threshold: t.gpuTempC, unit: 'celsius' },
        { name: 'memory', threshold: t.memoryPercent, unit: 'percent' },
        { name: 'disk', threshold: t.diskPercent, unit: 'percent' },
        { name: 'event_loop_lag', threshold: t.eventLoopLagMs, unit: 'ms' },
      ],
      { hysteresisRatio: (opts.hysteresisPercent ?? t.hysteresisPercent ?? 5) / 100 },
      { logger: this.log, gauge: modules.metrics?.alarmActive },
    );
    this.g = modules.metrics?.hardware ?? null;
    this.g?.processNative.bind((g) => g.set(processNativeBytes(process.memoryUsage())));
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.loop = monitorEventLoopDelay({ resolution: 20 });
    this.loop.enable();
    this.sampleJob.start();
    this.reportJob.start();
  }

  async stop(): Promise<void> {
    await this.sampleJob.stop();
    await this.reportJob.stop();
    this.loop?.disable();
    this.loop = undefined;
  }

  /** The latest sample, for /health and monitor.sh. */
  latest(): HardwareSample | undefined {
    return this.last;
  }

  activeAlarms(): string[] {
    return this.alarms.activeNames();
  }

  /** Takes one sample, updates gauges and checks thresholds. */
  async sample(): Promise<HardwareSample> {
    const [gpus, disk] = await Promise.all([this.gpu.sample(), this.disk()]);
    const total = os.totalmem();
    const mem = process.memoryUsage();
    const s: HardwareSample = {
      gpus,
      cpuLoadRatio: (os.loadavg()[0] ?? 0) / Math.max(1, os.availableParallelism()),
      memoryUsedRatio: total > 0 ? (total - os.freemem()) / total : 0,
      memoryTotalBytes: total,
      processRssBytes: mem.rss,
      processHeapUsedBytes: mem.heapUsed,
      processNativeBytes: processNativeBytes(mem),
      processArrayBuffersBytes: mem.arrayBuffers,
      processHeapSpacesBytes: heapSpaces(),
      diskUsedRatio: disk,
      eventLoopLagMs: this.lagMs(),
    };
    this.last = s;
    this.updateGauges(s);
    this.checkAlarms(s);
    return s;
  }

  /** Logs one info line with the latest sample (taking one when none exists yet). */
  async report(): Promise<void> {
    const s = this.last ?? (await this.sample());
    this.log.info(
      {
        event: 'hardware',
        gpus: s.gpus.map((g) => ({
          index: g.index,
          vendor: g.vendor,
          utilization: r3(g.utilizationRatio),
          temperatureC: g.temperatureC,
          memoryUsedBytes: g.memoryUsedBytes,
          memoryTotalBytes: g.memoryTotalBytes,
          powerWatts: g.powerWatts,
        })),
        cpuLoadRatio: r3(s.cpuLoadRatio),
        memoryUsedRatio: r3(s.memoryUsedRatio),
        processRssBytes: s.processRssBytes,
        processHeapUsedBytes: s.processHeapUsedBytes,
        processNativeBytes: s.processNativeBytes,
        processArrayBuffersBytes: s.processArrayBuffersBytes,
        processHeapSpacesBytes: s.processHeapSpacesBytes,
        diskUsedRatio: r3(s.diskUsedRatio),
        eventLoopLagMs: r3(s.eventLoopLagMs),
        alarms: this.alarms.activeNames(),
      },
      'hardware report',
    );
  }

  private async disk(): Promise<number | null> {
    try {
      return diskUsedRatio(await statfs(this.opts.diskPath));
    } catch (err) {
      this.log.debug({ err: (err as Error).message, path: this.opts.diskPath }, 'disk statfs failed');
      return null;
    }
  }

  private lagMs(): number | null {
    const h = this.loop;
    if (!h || h.count === 0) return null;
    // The histogram counts the timer's own resolution; subtract it so an idle loop reads ~0.
    const lag = Math.max(0, h.percentile(99) / 1e6 - 20);
    h.reset();
    return lag;
  }

  private checkAlarms(s: HardwareSample): void {
    const temps = s.gpus.map((g) => g.temperatureC).filter((t): t is number => t !== null);
    if (temps.length > 0) this.alarms.update('gpu_temperature', Math.max(...temps));
    this.alarms.update('memory', s.memoryUsedRatio * 100);
    this.alarms.update('disk', s.diskUsedRatio === null ? null : s.diskUsedRatio * 100, { path: this.opts.diskPath });
    this.alarms.update('event_loop_lag', s.eventLoopLagMs);
  }

  private updateGauges(s: HardwareSample): void {
    const g = this.g;
    if (!g) return;
    for (const gpu of s.gpus) {
      const l = { gpu: String(gpu.index) };
      if (gpu.utilizationRatio !== null) g.gpuUtilization.set(l, gpu.utilizationRatio);
      if (gpu.temperatureC !== null) g.gpuTemperature.set(l, gpu.temperatureC);
      if (gpu.memoryUsedBytes !== null) g.gpuMemoryUsed.set(l, gpu.memoryUsedBytes);
      if (gpu.memoryTotalBytes !== null) g.gpuMemoryTotal.set(l, gpu.memoryTotalBytes);
      if (gpu.powerWatts !== null) g.gpuPower.set(l, gpu.powerWatts);
    }
    g.cpuLoad.set(s.cpuLoadRatio);
    g.memoryUsed.set(s.memoryUsedRatio);
    g.processRss.set(s.processRssBytes);
    if (s.diskUsedRatio !== null) g.diskUsed.set(s.diskUsedRatio);
    if (s.eventLoopLagMs !== null) g.eventLoopLag.set(s.eventLoopLagMs / 1000);
  }
}
