import type { KeyringPair } from '@polkadot/keyring/types';
import type { Registry } from 'prom-client';
import type { MinerConfig } from '../config/index.js';
import { resolveEndpoints } from '../config/index.js';
import { ServiceGroup, type Service, type CoreModules, type Logger, type TimerHandle, MinerError } from '../util/index.js';
import { ChainClient, MetagraphSync, AxonAnnouncer } from '../chain/index.js';
import type { AxonServer } from '../axon/index.js';
import { SynapseRegistry, type PriorityScheduler } from '../synapse/index.js';
import { DummySynapse, ocrSynapseFor } from '../synapses/index.js';
import { InferenceEngine } from '../inference/index.js';
import type { ResponseCache } from '../cache/index.js';
import { createMonitor, DrainTally, healthVerdict, type HealthReport, type Monitor } from '../monitor/index.js';
import { createMinerMetrics, type MinerMetrics } from '../metrics/index.js';
import { versionAsInt } from './version.js';
import { buildServingStack } from './servingStack.js';

export interface MinerNodeOpts {
  config: MinerConfig;
  /** Package version, e.g. "0.1.0"; announced on chain as an int. */
  version: string;
  /** Secrets never live in config: the CLI reads them from the environment. */
  secrets?: { redisPassword?: string };
}

export interface MinerNodeModules extends CoreModules {
  /** The miner's hotkey: signs serve_axon and the axon's WebSocket answers. */
  pair: KeyringPair;
  /** Receives every miner series (created here, once) and is served at the admin /metrics. */
  registry: Registry;
}

/**
 * Builds every service of the daemon in one place and runs them in dependency order:
 * chain -> metagraph -> models -> cache -> axon -> announce -> reports -> admin.
 * Stop runs in reverse, so the axon drains before models and chain go away.
 */
export class MinerNode implements Service {
  readonly name = 'miner-node';
  readonly chain: ChainClient;
  readonly metagraph: MetagraphSync;
  readonly engine: InferenceEngine;
  readonly cache: ResponseCache;
  readonly scheduler: PriorityScheduler;
  readonly axon: AxonServer;
  readonly monitor: Monitor;
  private readonly group: ServiceGroup;
  private readonly log: Logger;
  /** Counts how requests end once a drain begins (the shutdown line's drained/refused). */
  private readonly drainTally: DrainTally;
  private started = false;
  private stopping = false;
  private servingLogged = false;

  constructor(
    private readonly opts: MinerNodeOpts,
    private readonly modules: MinerNodeModules,
  ) {
    const { config } = opts;
    const core = (module: string): CoreModules => ({ clock: modules.clock, signal: modules.signal, logger: modules.logger.child({ module }) });
    const metrics = createMinerMetrics(modules.registry);
    this.log = modules.logger.child({ module: 'node' });
    this.group = new ServiceGroup(this.log);

    this.chain = new ChainClient({ endpoints: resolveEndpoints(config), ...config.chain }, { ...core('chain'), metrics: metrics.chain.client });
    this.metagraph = new MetagraphSync(
      { netuid: config.netuid, syncEveryBlocks: config.chain.syncEveryBlocks, ownHotkey: modules.pair.address, mechanism: config.chain.mechanism },
      { ...core('metagraph'), chain: this.chain, metrics: metrics.chain.metagraph },
    );
    const announcer = this.buildAnnouncer(core('announce'));
    this.engine = new InferenceEngine(config.inference, { ...core('inference'), metrics: metrics.inference });
    this.monitor = this.buildMonitor(core('monitor'), metrics);
    this.drainTally = new DrainTally(this.monitor.stats);
    const stack = buildServingStack(
      { axon: config.axon, cache: { ...config.cache, ...(opts.secrets?.redisPassword ? { redisPassword: opts.secrets.redisPassword } : {}) } },
      {
        clock: modules.clock,
        signal: modules.signal,
        logger: modules.logger,
        metrics,
        pair: modules.pair,
        metagraph: this.metagraph,
        synapses: this.buildSynapses(),
        observer: this.drainTally,
      },
    );
    this.cache = stack.cache;
    this.scheduler = stack.scheduler;
    this.axon = stack.axon;
    // serve_axon only once the axon listens: the announcer starts after the axon service (models loaded, port open).
    for (const s of [this.chain, this.metagraph, this.engine, ...stack.services, announcer, ...this.monitor.services]) {
      this.group.add(s);
    }
  }

  private buildAnnouncer(core: CoreModules): AxonAnnouncer {
    const { config, version } = this.opts;
    return new AxonAnnouncer(
      {
        netuid: config.netuid,
        externalIp: config.axon.externalIp,
        externalPort: config.axon.externalPort ?? config.axon.port,
        version: versionAsInt(version),
        enabled: config.chain.announceAxon,
      },
      { ...core, chain: this.chain, metagraph: this.metagraph, pair: this.modules.pair },
    );
  }

  private buildMonitor(core: CoreModules, metrics: MinerMetrics): Monitor {
    return createMonitor(
      this.opts.config.monitor,
      {
        hotkey: this.modules.pair.address,
        metagraph: this.metagraph,
        health: () => this.health(),
        immunity: () => this.metagraph.standing()?.immunity,
        cacheStats: () => this.cache.stats(),
        queueDepth: () => this.queueDepth(),
        batchHistogram: metrics.inference.batcher.batchSize,
        version: this.opts.version,
      },
      { ...core, metrics: metrics.monitor, registry: this.modules.registry },
    );
  }

  private buildSynapses(): SynapseRegistry {
    const registry = new SynapseRegistry();
    registry.register(new DummySynapse());
    if (this.opts.config.inference.ocr.enabled) registry.register(ocrSynapseFor(this.engine));
    return registry;
  }

  queueDepth(): number {
    return this.scheduler.queueDepth() + this.engine.queueDepth();
  }

  health(): HealthReport {
    const chain = this.chain.state();
    const standing = this.metagraph.standing();
    const snap = this.metagraph.current();
    const metagraphAgeSeconds = snap ? (this.modules.clock.now() - snap.syncedAtMs) / 1000 : null;
    const verdict = healthVerdict({
      started: this.started,
      draining: this.stopping,
      axonServing: this.axon.isServing(),
      chainConnected: chain.connected,
      metagraphAgeSeconds,
      registered: standing?.registered ?? false,
      modelsLoaded: this.engine.device() !== 'none',
      maxMetagraphAgeSeconds: this.opts.config.monitor.healthMaxMetagraphAgeMs / 1000,
    });
    return {
      status: verdict.status,
      reasons: verdict.reasons,
      serving: verdict.status !== 'unavailable',
      chainConnected: chain.connected,
      lastBlockAgeSeconds: chain.blockAgeMs === undefined ? null : chain.blockAgeMs / 1000,
      bestBlock: chain.bestBlock ?? null,
      registered: standing?.registered ?? false,
      uid: standing?.uid ?? null,
      metagraphAgeSeconds,
      modelsLoaded: this.engine.modelsLoaded(),
      device: this.engine.device(),
      devices: this.engine.deviceStatus(),
      queueDepth: this.queueDepth(),
    };
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.group.start();
    this.started = true;
    if (!this.logServingOnce()) {
      this.log.warn({ port: this.opts.config.axon.port, reasons: this.health().reasons }, 'miner started, not serving yet');
      const off = this.metagraph.onUpdate(() => {
        if (this.logServingOnce() || this.stopping) off();
      });
    }
  }

  /** Logs "miner serving" the first time health says so; true once it has. */
  private logServingOnce(): boolean {
    if (this.servingLogged) return true;
    const h = this.health();
    if (h.status === 'unavailable') return false;
    this.servingLogged = true;
    this.log.info({ port: this.opts.config.axon.port, hotkey: this.modules.pair.address, status: h.status }, 'miner serving');
    return true;
  }

  /**
   * Stops the periodic reports while the chain is still there, stops accepting, drains
   * in-flight work within drainMs (logging how many requests were drained and refused), then
   * stops everything else in reverse order.
   */
  async stop(): Promise<void> {
    if (!this.started) {
      await this.group.stop();
      return;
    }
    this.started = false;
    this.stopping = true;
    for (const s of [this.monitor.standing, this.monitor.serving, this.monitor.hardware]) await s.stop();
    const t0 = this.modules.clock.now();
    this.drainTally.begin(this.axon.inflightCount());
    try {
      await this.axon.drain(this.opts.config.shutdown.drainMs);
    } catch (err) {
      this.log.warn({ err: err instanceof MinerError ? err.code : String(err) }, 'drain incomplete');
    }
    this.log.info({ ...this.drainTally.result(), drainMs: this.modules.clock.now() - t0 }, 'axon drained');
    await this.group.stop();
  }

  /**
   * After a second signal: no more waiting for the drain. The inference engine still stops
   * (new batches refused, runs already on a device finish, workers released) within graceMs,
   * because exiting while a worker's onnxruntime run is pending aborts the process from native
   * code (`terminate called ... Napi::Error`, 134) instead of exiting with the forced-stop code.
   */
  async forceStop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    let timer: TimerHandle | undefined;
    await Promise.race([
      this.engine.stop().catch((err: unknown) => this.log.warn({ err: String(err) }, 'inference stop failed')),
      new Promise<void>((r) => (timer = this.modules.clock.setTimeout(r, graceMs))),
    ]);
    this.modules.clock.clearTimer(timer);
  }
}
