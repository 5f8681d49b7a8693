import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Per-device metrics; `device` is a label such as `cpu:0` or `cuda:1` (a few per host). */
export interface DeviceMetrics {
  batches: Counter<'device' | 'model'>;
  items: Counter<'device' | 'model'>;
  runSeconds: Histogram<'device' | 'model'>;
  /** Batches assigned to the device and not finished (waiting for it or running). */
  queueDepth: Gauge<'device'>;
  /** 1 while the device is in rotation, 0 once it failed and was taken out. */
  state: Gauge<'device'>;
  failures: Counter<'device'>;
}

function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createDeviceMetrics(registry: Registry): DeviceMetrics {
  const registers = [registry];
  return {
    batches: getOrCreate(registry, 'miner_inference_device_batches_total', () => new Counter({
      name: 'miner_inference_device_batches_total', help: 'Model runs finished on a device', labelNames: ['device', 'model'], registers,
    })),
    items: getOrCreate(registry, 'miner_inference_device_items_total', () => new Counter({
      name: 'miner_inference_device_items_total', help: 'Items run on a device', labelNames: ['device', 'model'], registers,
    })),
    runSeconds: getOrCreate(registry, 'miner_inference_device_run_seconds', () => new Histogram({
      name: 'miner_inference_device_run_seconds', help: 'Duration of one model run on a device', labelNames: ['device', 'model'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers,
    })),
    queueDepth: getOrCreate(registry, 'miner_inference_device_queue_depth', () => new Gauge({
      name: 'miner_inference_device_queue_depth', help: 'Batches assigned to a device and not finished', labelNames: ['device'], registers,
    })),
    state: getOrCreate(registry, 'miner_inference_device_state', () => new Gauge({
      name: 'miner_inference_device_state', help: '1 while a device is in rotation, 0 once it failed', labelNames: ['device'], registers,
    })),
    failures: getOrCreate(registry, 'miner_inference_device_failures_total', () => new Counter({
      name: 'miner_inference_device_failures_total', help: 'Devices taken out of rotation after a session failure', labelNames: ['device'], registers,
    })),
  };
}
