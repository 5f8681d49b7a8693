import { Gauge, type Registry } from 'prom-client';
import { collectedGauge, type CollectedGauge } from './collectedGauge.js';

export interface HardwareMetrics {
  gpuUtilization: Gauge<'gpu'>;
  gpuTemperature: Gauge<'gpu'>;
  gpuMemoryUsed: Gauge<'gpu'>;
  gpuMemoryTotal: Gauge<'gpu'>;
  gpuPower: Gauge<'gpu'>;
  cpuLoad: Gauge;
  memoryUsed: Gauge;
  processRss: Gauge;
  processNative: CollectedGauge;
  diskUsed: Gauge;
  eventLoopLag: Gauge;
}

export interface ServingMetrics {
  requestsPerSecond: Gauge;
  errorRatio: Gauge;
  latency: Gauge<'synapse' | 'quantile'>;
  cacheHitRatio: Gauge;
}

export interface StandingMetrics {
  incentive: Gauge;
  emission: Gauge;
  stake: Gauge;
  dividends: Gauge;
  position: Gauge;
  miners: Gauge;
  registered: Gauge;
  uid: Gauge;
}

/** The monitor's series: host hardware, the serving window, the miner's standing and the threshold alarms. */
export interface MonitorMetrics {
  /** Shared by every ThresholdAlarms of the process, one label value per alarm. */
  alarmActive: Gauge<'alarm'>;
  hardware: HardwareMetrics;
  serving: ServingMetrics;
  standing: StandingMetrics;
}

type GaugeMaker = <L extends string = never>(name: string, help: string, labelNames?: readonly L[]) => Gauge<L>;

export function createMonitorMetrics(registry: Registry): MonitorMetrics {
  const gauge: GaugeMaker = (name, help, labelNames = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  return {
    alarmActive: gauge('miner_monitor_alarm_active_bool', '1 while a threshold alarm is crossed', ['alarm']),
    hardware: hardwareMetrics(registry, gauge),
    serving: {
      requestsPerSecond: gauge('miner_monitor_serving_requests_per_second', 'Answered requests per second over the serving window'),
      errorRatio: gauge('miner_monitor_serving_error_ratio', 'Fraction of requests the miner failed (5xx, 408) over the serving window'),
      latency: gauge('miner_monitor_serving_latency_seconds', 'Latency quantiles per synapse over the serving window', ['synapse', 'quantile']),
      cacheHitRatio: gauge(
        'miner_monitor_serving_cache_hit_ratio',
        "Cache hits / lookups over the serving window (the same figure as the report's cache.hitRate)",
      ),
    },
    standing: standingMetrics(gauge),
  };
}

function hardwareMetrics(registry: Registry, gauge: GaugeMaker): HardwareMetrics {
  const gpu = ['gpu'] as const;
  return {
    gpuUtilization: gauge('miner_monitor_gpu_utilization_ratio', 'GPU utilization (0..1)', gpu),
    gpuTemperature: gauge('miner_monitor_gpu_temperature_celsius', 'GPU temperature', gpu),
    gpuMemoryUsed: gauge('miner_monitor_gpu_memory_used_bytes', 'GPU memory in use', gpu),
    gpuMemoryTotal: gauge('miner_monitor_gpu_memory_total_bytes', 'GPU memory in total', gpu),
    gpuPower: gauge('miner_monitor_gpu_power_watts', 'GPU power draw', gpu),
    cpuLoad: gauge('miner_monitor_cpu_load_ratio', '1-minute load average per core'),
    memoryUsed: gauge('miner_monitor_memory_used_ratio', 'Host memory in use (total - available) / total'),
    processRss: gauge('miner_monitor_process_resident_memory_bytes', 'Resident memory of this process'),
    processNative: collectedGauge(registry, {
      name: 'miner_monitor_process_native_memory_bytes',
      help: 'Resident memory outside the main V8 heap (rss - heap total): native libraries, worker heaps, buffers',
    }),
    diskUsed: gauge('miner_monitor_disk_used_ratio', 'Used fraction of the filesystem at monitor.diskPath'),
    eventLoopLag: gauge('miner_monitor_event_loop_lag_seconds', 'Event-loop delay p99 since the previous sample'),
  };
}

function standingMetrics(gauge: GaugeMaker): StandingMetrics {
  // The standing reporter lives in src/monitor, so its series carry the monitor prefix.
  return {
    incentive: gauge('miner_monitor_standing_incentive_ratio', "The miner's incentive (0..1)"),
    emission: gauge('miner_monitor_standing_emission_rao', "The miner's emission per epoch in rao"),
    stake: gauge('miner_monitor_standing_stake_tao', "Stake on the miner's hotkey, in the subnet's stake unit (alpha on dTAO subnets, else TAO)"),
    dividends: gauge('miner_monitor_standing_dividends_ratio', "The miner's dividends (0..1)"),
    position: gauge('miner_monitor_standing_position_number', 'Position among the subnet miners by incentive (1 = best, 0 = unregistered)'),
    miners: gauge('miner_monitor_standing_miners_count', 'Miners on the subnet'),
    registered: gauge('miner_monitor_standing_registered_bool', '1 when the hotkey holds a uid on the subnet'),
    uid: gauge('miner_monitor_standing_uid_number', "The miner's uid (-1 when unregistered)"),
  };
}
