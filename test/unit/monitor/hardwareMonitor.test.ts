import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/util/index.js';
import { createMinerMetrics } from '../../../src/metrics/index.js';
import { HardwareMonitor, diskUsedRatio, heapSpaces, type ExecFn } from '../../../src/monitor/index.js';
import { captureLogger } from './fixtures.js';

function make(temps: number[], thresholds: Partial<{ gpuTempC: number; memoryPercent: number; diskPercent: number; eventLoopLagMs: number }> = {}) {
  const { logger, lines } = captureLogger();
  const registry = new Registry();
  let i = 0;
  const exec: ExecFn = async () => `50, ${temps[Math.min(i++, temps.length - 1)]}, 1024, 81559, 300.5\n`;
  const hw = new HardwareMonitor(
    {
      cron: '*/30 * * * * *',
      reportCron: '0 */5 * * * *',
      diskPath: '/',
      thresholds: { gpuTempC: 80, memoryPercent: 101, diskPercent: 101, eventLoopLagMs: 10_000, ...thresholds },
    },
    { logger, metrics: createMinerMetrics(registry).monitor, clock: systemClock(), signal: new AbortController().signal, exec },
  );
  return { hw, lines, registry };
}

describe('diskUsedRatio', () => {
  it('counts like df (reserved blocks excluded)', () => {
    expect(diskUsedRatio({ blocks: 1000, bfree: 300, bavail: 250 })).toBeCloseTo(700 / 950);
    expect(diskUsedRatio({ blocks: 0, bfree: 0, bavail: 0 })).toBeNull();
  });
});

describe('heapSpaces', () => {
  it('sums V8 space capacities into young, old, code and large', () => {
    const space = (space_name: string, space_size: number) => ({
      space_name,
      space_size,
      space_used_size: space_size / 2,
      space_available_size: 0,
      physical_space_size: 0,
    });
    const stats = [
      space('new_space', 32),
      space('old_space', 100),
      space('code_space', 4),
      space('code_large_object_space', 1),
      space('large_object_space', 7),
      space('new_large_object_space', 2),
      space('read_only_space', 9),
    ];
    expect(heapSpaces(stats)).toEqual({ young: 32, old: 100, oldUsed: 50, code: 5, large: 9 });
  });

  it('reads the running heap when given nothing', () => {
    const s = heapSpaces();
    expect(s.young).toBeGreaterThan(0);
    expect(s.old).toBeGreaterThan(0);
    expect(s.oldUsed).toBeGreaterThan(0);
    expect(s.oldUsed).toBeLessThanOrEqual(s.old);
  });
});

describe('HardwareMonitor', () => {
  it('samples the host and the GPU and exports the gauges', async () => {
    const { hw, registry } = make([60]);
    await hw.start();
    const s = await hw.sample();
    expect(s.gpus[0]).toMatchObject({ temperatureC: 60, utilizationRatio: 0.5, powerWatts: 300.5 });
    expect(s.cpuLoadRatio).toBeGreaterThanOrEqual(0);
    expect(s.memoryUsedRatio).toBeGreaterThan(0);
    expect(s.memoryUsedRatio).toBeLessThan(1);
    expect(s.processRssBytes).toBeGreaterThan(1e6);
    expect(s.diskUsedRatio).toBeGreaterThan(0);
    const m = await registry.metrics();
    for (const name of [
      'miner_monitor_gpu_utilization_ratio{gpu="0"} 0.5',
      'miner_monitor_gpu_temperature_celsius{gpu="0"} 60',
      'miner_monitor_gpu_memory_used_bytes{gpu="0"} 1073741824',
      'miner_monitor_gpu_power_watts{gpu="0"} 300.5',
    ]) {
      expect(m).toContain(name);
    }
    for (const name of ['miner_monitor_cpu_load_ratio', 'miner_monitor_memory_used_ratio', 'miner_monitor_disk_used_ratio']) {
      expect(m).toMatch(new RegExp(`^${name} [0-9.e-]+$`, 'm'));
    }
    await hw.stop();
  });

  it('alarms once on a hot GPU, recovers once, and never repeats the line', async () => {
    const { hw, lines } = make([70, 85, 86, 90, 85, 78, 74, 72, 70]);
    for (let i = 0; i < 9; i++) await hw.sample();
    expect(lines.filter((l) => l['msg'] === 'threshold crossed')).toMatchObject([{ level: 'warn', alarm: 'gpu_temperature', value: 85 }]);
    expect(lines.filter((l) => l['msg'] === 'threshold recovered')).toMatchObject([{ level: 'info', alarm: 'gpu_temperature', value: 74 }]);
  });

  it('alarms on disk and memory from the real host when the thresholds are below the real values', async () => {
    const { hw, lines } = make([50], { diskPercent: 0.001, memoryPercent: 0.001 });
    for (let i = 0; i < 3; i++) await hw.sample();
    const alarms = lines
      .filter((l) => l['msg'] === 'threshold crossed')
      .map((l) => l['alarm'])
      .sort();
    expect(alarms).toEqual(['disk', 'memory']);
    expect(hw.activeAlarms().sort()).toEqual(['disk', 'memory']);
  });

  it('logs an info hardware report', async () => {
    const { hw, lines } = make([50]);
    await hw.report();
    expect(lines.find((l) => l['msg'] === 'hardware report')).toMatchObject({
      event: 'hardware',
      module: 'monitor',
      gpus: [{ index: 0, temperatureC: 50, utilization: 0.5 }],
    });
  });
});
