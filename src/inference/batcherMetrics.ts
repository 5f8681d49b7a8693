import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The engine's metrics, labelled by model only; one set per registry. */
export interface InferenceMetrics {
  batchSize: Histogram<'model'>;
  batchCost: Histogram<'model'>;
  queueDepth: Gauge<'model'>;
  waitSeconds: Histogram<'model'>;
  runSeconds: Histogram<'model'>;
  itemsTotal: Counter<'model'>;
}

function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createInferenceMetrics(registry: Registry): InferenceMetrics {
  const registers = [registry];
  return {
    batchSize: getOrCreate(registry, 'miner_inference_batch_size', () => new Histogram({
      name: 'miner_inference_batch_size', help: 'Items per model run', labelNames: ['model'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], registers,
    })),
    batchCost: getOrCreate(registry, 'miner_inference_batch_cost', () => new Histogram({
      name: 'miner_inference_batch_cost', help: 'Cost of a model run (input elements per channel, padding included)',
      labelNames: ['model'], buckets: [1e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7], registers,
    })),
    queueDepth: getOrCreate(registry, 'miner_inference_queue_depth', () => new Gauge({
      name: 'miner_inference_queue_depth', help: 'Items waiting for a model run', labelNames: ['model'], registers,
    })),
    waitSeconds: getOrCreate(registry, 'miner_inference_wait_seconds', () => new Histogram({
      name: 'miner_inference_wait_seconds', help: 'Time an item waited in the queue', labelNames: ['model'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers,
    })),
    runSeconds: getOrCreate(registry, 'miner_inference_run_seconds', () => new Histogram({
      name: 'miner_inference_run_seconds', help: 'Duration of one model run', labelNames: ['model'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers,
    })),
    itemsTotal: getOrCreate(registry, 'miner_inference_items_total', () => new Counter({
      name: 'miner_inference_items_total', help: 'Items run through a model', labelNames: ['model'], registers,
    })),
  };
}
