import { Counter, type Registry } from 'prom-client';
import { collectedGauge, type CollectedGauge } from './collectedGauge.js';

/** The cache's series; the tier gauges read the tiers at scrape time instead of per request. */
export interface CacheMetrics {
  requests: Counter<'tier' | 'result'>;
  coalesced: Counter;
  evictions: Counter<'tier'>;
  errors: Counter<'tier'>;
  sizeBytes: CollectedGauge<'tier'>;
  entries: CollectedGauge<'tier'>;
}

export function createCacheMetrics(registry: Registry): CacheMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'miner_cache_requests_total',
      help: 'Cache lookups per tier and result (hit or miss)',
      labelNames: ['tier', 'result'],
      registers,
    }),
    coalesced: new Counter({
      name: 'miner_cache_coalesced_total',
      help: 'Requests answered by joining an identical computation already in flight',
      registers,
    }),
    evictions: new Counter({
      name: 'miner_cache_evictions_total',
      help: 'Entries evicted to stay within a tier bound',
      labelNames: ['tier'],
      registers,
    }),
    errors: new Counter({
      name: 'miner_cache_errors_total',
      help: 'Cache tier errors (timeouts, I/O failures, corrupt entries); each counts as a miss',
      labelNames: ['tier'],
      registers,
    }),
    sizeBytes: collectedGauge(registry, { name: 'miner_cache_size_bytes', help: 'Bytes held per cache tier', labelNames: ['tier'] }),
    entries: collectedGauge(registry, { name: 'miner_cache_entries_count', help: 'Entries held per cache tier', labelNames: ['tier'] }),
  };
}
