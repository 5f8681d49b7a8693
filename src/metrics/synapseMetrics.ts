import type { Registry } from 'prom-client';
import { collectedGauge, type CollectedGauge } from './collectedGauge.js';

/** The priority scheduler's series; the queue depth is read at scrape time. */
export interface SynapseMetrics {
  queueDepth: CollectedGauge;
}

export function createSynapseMetrics(registry: Registry): SynapseMetrics {
  return {
    queueDepth: collectedGauge(registry, { name: 'miner_synapse_queue_depth_items', help: 'Requests waiting in the priority queue' }),
  };
}
