import { MinerError } from '../util/index.js';

export type DeviceKind = 'cpu' | 'cuda';

/** One place models run: a CPU thread share or one CUDA device (a GPU may appear twice: two lanes). */
export interface DeviceSpec {
  kind: DeviceKind;
  /** CUDA ordinal; 0 for CPU entries. */
  cudaId: number;
  /** Metric and /health label: `cpu:0`, `cuda:1`, `cuda:0.1` for a second lane on cuda:0. */
  label: string;
}

/** The CPU session set that stands in for all CPU lanes when a batch would run alone (deviceSet.ts). */
export const CPU_SOLO: DeviceSpec = { kind: 'cpu', cudaId: 0, label: 'cpu:solo' };

/** What the config asks for, before any probing. */
export type DeviceRequest = { mode: 'auto'; cpuLanes: number } | { mode: 'list'; devices: DeviceSpec[]; source: 'inference.devices' | 'inference.device' };

export const DEVICE_ENTRY = /^(auto|cpu|cuda(:\d{1,3})?)$/;

export interface DeviceConfig {
  devices: readonly string[];
  device: 'auto' | 'cuda' | 'cpu';
  cudaDeviceId: number;
  cpuAutoLanes: number;
}

/** Turns entries like `cpu`, `cuda`, `cuda:1` into labelled devices; duplicates become lanes. */
export function parseDeviceList(entries: readonly string[]): DeviceSpec[] {
  const seen = new Map<string, number>();
  let cpus = 0;
  return entries.map((raw) => {
    const e = raw.trim();
    if (!DEVICE_ENTRY.test(e) || e === 'auto') {
      throw new MinerError('CONFIG_INVALID', `inference.devices: "${raw}" is not cpu, cuda or cuda:N (auto must stand alone)`);
    }
    if (e === 'cpu') return { kind: 'cpu', cudaId: 0, label: `cpu:${cpus++}` };
    const id = e === 'cuda' ? 0 : Number(e.slice(5));
    const base = `cuda:${id}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { kind: 'cuda', cudaId: id, label: n === 0 ? base : `${base}.${n}` };
  });
}

/**
 * `inference.devices` wins when it is explicit; otherwise the older `inference.device` keeps
 * its meaning: `cpu` one CPU device, `cuda` the one GPU `cudaDeviceId` (required), `auto` probe.
 */
export function deviceRequest(cfg: DeviceConfig, cores: number): DeviceRequest {
  const explicit = !(cfg.devices.length === 1 && cfg.devices[0] === 'auto');
  if (explicit) return { mode: 'list', devices: parseDeviceList(cfg.devices), source: 'inference.devices' };
  if (cfg.device === 'cpu') return { mode: 'list', devices: parseDeviceList(['cpu']), source: 'inference.device' };
  if (cfg.device === 'cuda') return { mode: 'list', devices: parseDeviceList([`cuda:${cfg.cudaDeviceId}`]), source: 'inference.device' };
  return { mode: 'auto', cpuLanes: Math.max(1, Math.min(cfg.cpuAutoLanes, cores)) };
}

/** The CUDA devices found by the probe, or `cpuLanes` CPU lanes when there are none. */
export function autoDevices(cudaIds: readonly number[], cpuLanes: number): DeviceSpec[] {
  return parseDeviceList(cudaIds.length > 0 ? cudaIds.map((id) => `cuda:${id}`) : Array.from({ length: Math.max(1, cpuLanes) }, () => 'cpu'));
}

/**
 * Intra-op threads for each CPU device: the configured (or available) threads split evenly,
 * at least one each. A single CPU device with nothing configured keeps onnxruntime's default.
 */
export function cpuThreadsPerDevice(configured: number, available: number, cpuDevices: number): number | undefined {
  if (cpuDevices <= 1) return configured > 0 ? configured : undefined;
  const total = configured > 0 ? configured : available;
  return Math.max(1, Math.floor(total / cpuDevices));
}
