import type { Registry } from 'prom-client';
import { createAxonMetrics, type AxonMetrics } from './axonMetrics.js';
import { createCacheMetrics, type CacheMetrics } from './cacheMetrics.js';
import { createChainMetrics, type ChainMetrics } from './chainMetrics.js';
import { createInferenceMetrics, type InferenceMetrics } from './inferenceMetrics.js';
import { createMonitorMetrics, type MonitorMetrics } from './monitorMetrics.js';
import { createSynapseMetrics, type SynapseMetrics } from './synapseMetrics.js';

/** Every series the miner exports, one part per subsystem; the node hands each subsystem its part. */
export interface MinerMetrics {
  axon: AxonMetrics;
  cache: CacheMetrics;
  chain: ChainMetrics;
  inference: InferenceMetrics;
  monitor: MonitorMetrics;
  synapse: SynapseMetrics;
}

/** Registers every miner series in `registry`; call once per registry (prom-client refuses a name twice). */
export function createMinerMetrics(registry: Registry): MinerMetrics {
  return {
    axon: createAxonMetrics(registry),
    cache: createCacheMetrics(registry),
    chain: createChainMetrics(registry),
    inference: createInferenceMetrics(registry),
    monitor: createMonitorMetrics(registry),
    synapse: createSynapseMetrics(registry),
  };
}
