import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const RUN_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The dynamic batchers' series, labelled by model only. */
export interface BatcherMetrics {
  batchSize: Histogram<'model'>;
  batchCost: Histogram<'model'>;
  queueDepth: Gauge<'model'>;
  waitSeconds: Histogram<'model'>;
  runSeconds: Histogram<'model'>;
  itemsTotal: Counter<'model'>;
}

/** Per-device series; `device` is a label such as `cpu:0` or `cuda:1` (a few per host). */
export interface DeviceMetrics {
  batches: Counter<'device' | 'model'>;
  items: Counter<'device' | 'model'>;
  runSeconds: Histogram<'device' | 'model'>;
  /** Batches assigned to the device and not finished (waiting for it or running). */
  queueDepth: Gauge<'device'>;
  /** 1 while the device is in rotation, 0 once it failed and was taken out. */
  available: Gauge<'device'>;
  failures: Counter<'device'>;
}

export interface InferenceMetrics {
  batcher: BatcherMetrics;
  device: DeviceMetrics;
}

export function createInferenceMetrics(registry: Registry): InferenceMetrics {
  return { batcher: batcherMetrics(registry), device: deviceMetrics(registry) };
}

function batcherMetrics(registry: Registry): BatcherMetrics {
  const registers = [registry];
  const labelNames = ['model'] as const;
  return {
    batchSize: new Histogram({
      name: 'miner_inference_batch_size_items',
      help: 'Items per model run',
      labelNames,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    }),
    batchCost: new Histogram({
      name: 'miner_inference_batch_cost_elements',
      help: 'Cost of a model run (input elements per channel, padding included)',
      labelNames,
      buckets: [1e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7],
      registers,
    }),
    queueDepth: new Gauge({ name: 'miner_inference_queue_depth_items', help: 'Items waiting for a model run', labelNames, registers }),
    waitSeconds: new Histogram({
      name: 'miner_inference_wait_seconds',
      help: 'Time an item waited in the queue',
      labelNames,
      buckets: RUN_BUCKETS,
      registers,
    }),
    runSeconds: new Histogram({
      name: 'miner_inference_run_seconds',
      help: 'Duration of one model run',
      labelNames,
      buckets: RUN_BUCKETS,
      registers,
    }),
    itemsTotal: new Counter({ name: 'miner_inference_items_total', help: 'Items run through a model', labelNames, registers }),
  };
}

function deviceMetrics(registry: Registry): DeviceMetrics {
  const registers = [registry];
  return {
    batches: new Counter({
      name: 'miner_inference_device_batches_total',
      help: 'Model runs finished on a device',
      labelNames: ['device', 'model'],
      registers,
    }),
    items: new Counter({
      name: 'miner_inference_device_items_total',
      help: 'Items run on a device',
      labelNames: ['device', 'model'],
      registers,
    }),
    runSeconds: new Histogram({
      name: 'miner_inference_device_run_seconds',
      help: 'Duration of one model run on a device',
      labelNames: ['device', 'model'],
      buckets: RUN_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'miner_inference_device_queue_depth_batches',
      help: 'Batches assigned to a device and not finished',
      labelNames: ['device'],
      registers,
    }),
    available: new Gauge({
      name: 'miner_inference_device_available_bool',
      help: '1 while a device is in rotation, 0 once it failed',
      labelNames: ['device'],
      registers,
    }),
    failures: new Counter({
      name: 'miner_inference_device_failures_total',
      help: 'Devices taken out of rotation after a session failure',
      labelNames: ['device'],
      registers,
    }),
  };
}
