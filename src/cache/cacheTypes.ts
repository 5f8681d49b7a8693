import type { CacheConfig } from '../config/index.js';
import type { CachePolicy } from '../synapse/index.js';
import type { RequestObservation } from '../util/index.js';
import type { DiskPruneReport } from './diskTier.js';
import type { RedisState } from './redisTier.js';
import type { CacheTierName } from './storedEntry.js';

/** How the cache answered one request; the same words the axon's RequestObservation uses. */
export type CacheOutcome = NonNullable<RequestObservation['cache']>;

export interface ResponseCacheOptions extends CacheConfig {
  /** From MINER_REDIS_PASSWORD (secrets never live in the config file). */
  redisPassword?: string;
  /** Called once per request that passed through `wrap`, after it settles (also on errors). */
  onOutcome?: (requestId: string, outcome: CacheOutcome) => void;
  /** Distinct computations that may be shared at once; beyond it requests run unshared. */
  maxInFlight?: number;
  /** How often expired entries are swept from memory and the disk index. */
  pruneIntervalMs?: number;
}

export interface SynapseCachePolicy {
  policy: CachePolicy;
  dedupInFlight: boolean;
  ttlMs?: number;
}

export interface CacheStats {
  enabled: boolean;
  requests: number;
  hits: number;
  misses: number;
  coalesced: number;
  bypassed: number;
  /** hits / (hits + misses + coalesced): answers served without running anything of their own. */
  hitRate: number;
  /** (hits + coalesced) / (hits + misses + coalesced): requests that did not cost a model run. */
  savedRate: number;
  hitsByTier: Record<CacheTierName, number>;
  inFlight: number;
  memory: { entries: number; bytes: number; maxBytes: number };
  disk?: { entries: number; bytes: number; maxBytes: number; dir: string };
  redis?: { state: RedisState };
}

export interface CacheClearReport {
  memory: number;
  disk?: number;
  redis?: number | string;
}

export interface CachePruneReport {
  memory: number;
  disk?: DiskPruneReport;
  /** Redis expires its keys itself. */
  redis?: 0;
}
