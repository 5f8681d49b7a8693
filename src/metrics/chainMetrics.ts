import { Counter, Gauge, type Registry } from 'prom-client';
import { collectedGauge, type CollectedGauge } from './collectedGauge.js';

export interface ChainClientMetrics {
  connected: Gauge;
  bestBlock: Gauge;
  reconnects: Counter;
  blockAge: CollectedGauge;
}

export interface MetagraphMetrics {
  age: CollectedGauge;
  neurons: Gauge;
  syncs: Counter<'result'>;
  syncDuration: Gauge;
  registered: Gauge;
}

/** The chain subsystem's series: the connection (ChainClient) and the metagraph (MetagraphSync). */
export interface ChainMetrics {
  client: ChainClientMetrics;
  metagraph: MetagraphMetrics;
}

export function createChainMetrics(registry: Registry): ChainMetrics {
  const registers = [registry];
  return {
    client: {
      connected: new Gauge({ name: 'miner_chain_connected_bool', help: '1 while connected to a chain endpoint', registers }),
      bestBlock: new Gauge({ name: 'miner_chain_best_block_number', help: 'Best block number seen', registers }),
      reconnects: new Counter({ name: 'miner_chain_reconnects_total', help: 'Connection rebuilds (drops, failovers, watchdog)', registers }),
      blockAge: collectedGauge(registry, { name: 'miner_chain_block_age_seconds', help: 'Seconds since the last new block was seen' }),
    },
    metagraph: {
      age: collectedGauge(registry, { name: 'miner_chain_metagraph_age_seconds', help: 'Seconds since the last good metagraph snapshot' }),
      neurons: new Gauge({ name: 'miner_chain_metagraph_neurons_count', help: 'Neurons (uids) on the subnet in the last snapshot', registers }),
      syncs: new Counter({ name: 'miner_chain_metagraph_syncs_total', help: 'Metagraph syncs by result', labelNames: ['result'], registers }),
      syncDuration: new Gauge({ name: 'miner_chain_metagraph_sync_duration_seconds', help: 'Duration of the last metagraph sync', registers }),
      registered: new Gauge({ name: 'miner_chain_metagraph_registered_bool', help: '1 while the own hotkey holds a uid on the subnet', registers }),
    },
  };
}
