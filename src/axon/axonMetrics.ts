import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type Transport = 'http' | 'ws';

/** The axon's Prometheus series; synapse labels come only from registered names or "unknown". */
export class AxonMetrics {
  readonly requests: Counter<'synapse' | 'status' | 'transport'>;
  readonly duration: Histogram<'synapse' | 'transport'>;
  readonly connections: Gauge;
  readonly rejected: Counter<'reason'>;
  readonly forms: Counter<'form' | 'status'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'miner_axon_requests_total',
      help: 'Requests answered by the axon, by synapse, status and transport',
      labelNames: ['synapse', 'status', 'transport'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'miner_axon_request_duration_seconds',
      help: 'Time from receiving a request to answering it',
      labelNames: ['synapse', 'transport'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 12],
      registers: [registry],
    });
    this.connections = new Gauge({
      name: 'miner_axon_connections',
      help: 'Open TCP connections to the axon (HTTP and WebSocket)',
      registers: [registry],
    });
    this.forms = new Counter({
      name: 'miner_axon_form_requests_total',
      help: 'Requests answered by the axon, by wire form (legacy, btauth, epistula, ws; none: no form claimed it) and status',
      labelNames: ['form', 'status'],
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'miner_axon_rejected_total',
      help: 'Requests or connections refused before reaching a handler, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
