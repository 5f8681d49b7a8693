import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one metrics registry of a process, with Node's default metrics (event loop, heap, GC,
 * file descriptors) registered exactly once. The CLI creates it, `createMinerMetrics` fills it
 * and the admin server serves it.
 */
export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}
