import { AxonServer, type AxonServerModules, type AxonServerOpts } from '../axon/index.js';
import { ResponseCache, type ResponseCacheOptions } from '../cache/index.js';
import { PriorityScheduler, type PrioritySchedulerOpts, type SynapseRegistry } from '../synapse/index.js';
import type { AxonMetrics, CacheMetrics, SynapseMetrics } from '../metrics/index.js';
import { ServiceGroup, type CoreModules, type Service } from '../util/index.js';

export interface ServingStackOpts {
  axon: AxonServerOpts;
  /** Queue bound and workers; the axon section's own (as the daemon runs) when absent. */
  scheduler?: PrioritySchedulerOpts;
  /** Without it requests go straight to the scheduler, uncached and unshared. */
  cache?: ResponseCacheOptions;
}

/** The stack's parts of the miner's metrics (a `MinerMetrics` fits); null runs without. */
export interface ServingStackMetrics {
  axon: AxonMetrics;
  cache: CacheMetrics;
  synapse: SynapseMetrics;
}

/** What the axon needs besides the executor, which the stack builds; metrics for the whole stack. */
export type ServingStackModules = Omit<AxonServerModules, 'executor' | 'metrics'> & { metrics: ServingStackMetrics | null };

/** The request path: axon -> cache -> scheduler -> synapses. */
export interface ServingStack extends Service {
  readonly axon: AxonServer;
  readonly cache: ResponseCache | undefined;
  readonly scheduler: PriorityScheduler;
  readonly synapses: SynapseRegistry;
  /** In start order (the cache before the axon takes requests); stop runs them in reverse. */
  readonly services: readonly Service[];
}

/**
 * Wires the serving path the same way for the daemon and for the tests that run an axon
 * without a chain, so a test cannot pass with a stack the miner never runs.
 */
export function buildServingStack(
  opts: ServingStackOpts & { cache: ResponseCacheOptions },
  modules: ServingStackModules,
): ServingStack & { readonly cache: ResponseCache };
export function buildServingStack(opts: ServingStackOpts, modules: ServingStackModules): ServingStack;
export function buildServingStack(opts: ServingStackOpts, modules: ServingStackModules): ServingStack {
  const core = (module: string): CoreModules => ({ ...modules, logger: modules.logger.child({ module }) });
  const m = modules.metrics;
  const scheduler = new PriorityScheduler(opts.scheduler ?? opts.axon, { ...core('scheduler'), metrics: m?.synapse ?? null });
  const cache = opts.cache ? new ResponseCache(opts.cache, { ...core('cache'), metrics: m?.cache ?? null }) : undefined;
  const axon = new AxonServer(opts.axon, { ...modules, ...core('axon'), metrics: m?.axon ?? null, executor: cache ? cache.wrap(scheduler) : scheduler });
  const services: Service[] = cache ? [cache, axon] : [axon];
  const group = new ServiceGroup(modules.logger.child({ module: 'serving' }));
  for (const s of services) group.add(s);
  return {
    name: 'serving',
    axon,
    cache,
    scheduler,
    synapses: modules.synapses,
    services,
    start: () => group.start(),
    stop: () => group.stop(),
  };
}
