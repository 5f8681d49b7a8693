import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheTierName } from './storedEntry.js';

export interface TierGaugeSource {
  tier: CacheTierName;
  entries(): number;
  bytes(): number;
}

/** The cache's Prometheus series; gauges read the tiers at scrape time instead of per request. */
export class CacheMetrics {
  readonly requests: Counter<'tier' | 'result'>;
  readonly coalesced: Counter;
  readonly evictions: Counter<'tier'>;
  readonly errors: Counter<'tier'>;

  constructor(registry: Registry, sources: () => readonly TierGaugeSource[]) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'miner_cache_requests_total',
      help: 'Cache lookups per tier and result (hit or miss)',
      labelNames: ['tier', 'result'],
      registers,
    });
    this.coalesced = new Counter({
      name: 'miner_cache_coalesced_total',
      help: 'Requests answered by joining an identical computation already in flight',
      registers,
    });
    this.evictions = new Counter({
      name: 'miner_cache_evictions_total',
      help: 'Entries evicted to stay within a tier bound',
      labelNames: ['tier'],
      registers,
    });
    this.errors = new Counter({
      name: 'miner_cache_errors_total',
      help: 'Cache tier errors (timeouts, I/O failures, corrupt entries); each counts as a miss',
      labelNames: ['tier'],
      registers,
    });
    new Gauge({
      name: 'miner_cache_bytes',
      help: 'Bytes held per cache tier',
      labelNames: ['tier'],
      registers,
      collect() {
        for (const s of sources()) this.set({ tier: s.tier }, s.bytes());
      },
    });
    new Gauge({
      name: 'miner_cache_entries',
      help: 'Entries held per cache tier',
      labelNames: ['tier'],
      registers,
      collect() {
        for (const s of sources()) this.set({ tier: s.tier }, s.entries());
      },
    });
  }
}
