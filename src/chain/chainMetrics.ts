import { Counter, Gauge, type Registry } from 'prom-client';

function gauge(registry: Registry, name: string, help: string, collect?: (g: Gauge) => void): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge;
  return new Gauge({ name, help, registers: [registry], ...(collect ? { collect(this: Gauge) { collect(this); } } : {}) });
}

function counter(registry: Registry, name: string, help: string): Counter {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter;
  return new Counter({ name, help, registers: [registry] });
}

export interface ChainMetrics {
  connected: Gauge;
  bestBlock: Gauge;
  reconnects: Counter;
}

export function chainMetrics(registry: Registry, blockAgeSeconds: () => number | undefined): ChainMetrics {
  gauge(registry, 'miner_chain_block_age_seconds', 'Seconds since the last new block was seen', (g) => {
    const age = blockAgeSeconds();
    if (age !== undefined) g.set(age);
  });
  return {
    connected: gauge(registry, 'miner_chain_connected', '1 while connected to a chain endpoint'),
    bestBlock: gauge(registry, 'miner_chain_best_block', 'Best block number seen'),
    reconnects: counter(registry, 'miner_chain_reconnects_total', 'Connection rebuilds (drops, failovers, watchdog)'),
  };
}

export interface MetagraphMetrics {
  ageSeconds: Gauge;
  n: Gauge;
  syncs: Counter;
  syncDuration: Gauge;
  registered: Gauge;
}

export function metagraphMetrics(registry: Registry, ageSeconds: () => number | undefined): MetagraphMetrics {
  const syncs = registry.getSingleMetric('miner_metagraph_syncs_total') as Counter | undefined;
  return {
    ageSeconds: gauge(registry, 'miner_metagraph_age_seconds', 'Seconds since the last good metagraph snapshot', (g) => {
      const age = ageSeconds();
      if (age !== undefined) g.set(age);
    }),
    n: gauge(registry, 'miner_metagraph_neurons', 'Neurons (uids) on the subnet in the last snapshot'),
    syncs: syncs ?? new Counter({ name: 'miner_metagraph_syncs_total', help: 'Metagraph syncs by result', labelNames: ['result'], registers: [registry] }),
    syncDuration: gauge(registry, 'miner_metagraph_sync_duration_seconds', 'Duration of the last metagraph sync'),
    registered: gauge(registry, 'miner_metagraph_registered', '1 while the own hotkey holds a uid on the subnet'),
  };
}
