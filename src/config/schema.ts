import { z } from 'zod';
import { networkSchema, chainSchema } from './sections/network.js';
import { walletSchema } from './sections/wallet.js';
import { axonSchema } from './sections/axon.js';
import { inferenceSchema } from './sections/inference.js';
import { cacheSchema } from './sections/cache.js';
import { monitorSchema } from './sections/monitor.js';
import { logSchema, shutdownSchema } from './sections/log.js';
import { memorySchema } from './sections/memory.js';

/** The whole configuration: strict at every level, so an unknown key stops start-up. */
export const configSchema = z.strictObject({
  network: networkSchema.default(networkSchema.parse({})),
  netuid: z.number().int().min(0).max(65535).default(1),
  wallet: walletSchema.default(walletSchema.parse({})),
  chain: chainSchema.default(chainSchema.parse({})),
  axon: axonSchema.default(axonSchema.parse({})),
  inference: inferenceSchema.default(inferenceSchema.parse({})),
  cache: cacheSchema.default(cacheSchema.parse({})),
  monitor: monitorSchema.default(monitorSchema.parse({})),
  log: logSchema.default(logSchema.parse({})),
  shutdown: shutdownSchema.default(shutdownSchema.parse({})),
  memory: memorySchema.default(memorySchema.parse({})),
});

export type MinerConfig = z.infer<typeof configSchema>;
export type AxonConfig = MinerConfig['axon'];
export type ChainConfig = MinerConfig['chain'];
export type NetworkConfig = MinerConfig['network'];
export type WalletConfig = MinerConfig['wallet'];
export type InferenceConfig = MinerConfig['inference'];
export type CacheConfig = MinerConfig['cache'];
export type MonitorConfig = MinerConfig['monitor'];
export type LogConfig = MinerConfig['log'];
export type MemoryConfig = MinerConfig['memory'];

export { NETWORK_ENDPOINTS } from './sections/network.js';
