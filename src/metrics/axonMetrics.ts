import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The axon's series; synapse labels come only from registered names or "unknown". */
export interface AxonMetrics {
  requests: Counter<'synapse' | 'status' | 'transport'>;
  duration: Histogram<'synapse' | 'transport'>;
  connections: Gauge;
  rejected: Counter<'reason'>;
  forms: Counter<'form' | 'status'>;
}

export function createAxonMetrics(registry: Registry): AxonMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'miner_axon_requests_total',
      help: 'Requests answered by the axon, by synapse, status and transport',
      labelNames: ['synapse', 'status', 'transport'],
      registers,
    }),
    duration: new Histogram({
      name: 'miner_axon_request_duration_seconds',
      help: 'Time from receiving a request to answering it',
      labelNames: ['synapse', 'transport'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 12],
      registers,
    }),
    connections: new Gauge({
      name: 'miner_axon_connections_count',
      help: 'Open TCP connections to the axon (HTTP and WebSocket)',
      registers,
    }),
    forms: new Counter({
      name: 'miner_axon_form_requests_total',
      help: 'Requests answered by the axon, by wire form (legacy, btauth, epistula, ws; none: no form claimed it) and status',
      labelNames: ['form', 'status'],
      registers,
    }),
    rejected: new Counter({
      name: 'miner_axon_rejected_total',
      help: 'Requests or connections refused before reaching a handler, by reason',
      labelNames: ['reason'],
      registers,
    }),
  };
}
