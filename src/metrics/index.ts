export { createMetricsRegistry } from './registry.js';
export { createMinerMetrics, type MinerMetrics } from './minerMetrics.js';
export type { CollectedGauge } from './collectedGauge.js';
export type { AxonMetrics } from './axonMetrics.js';
export type { CacheMetrics } from './cacheMetrics.js';
export type { ChainMetrics, ChainClientMetrics, MetagraphMetrics } from './chainMetrics.js';
export type { InferenceMetrics, BatcherMetrics, DeviceMetrics } from './inferenceMetrics.js';
export type { MonitorMetrics, HardwareMetrics, ServingMetrics, StandingMetrics } from './monitorMetrics.js';
export type { SynapseMetrics } from './synapseMetrics.js';
