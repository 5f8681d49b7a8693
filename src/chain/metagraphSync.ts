import type { Logger } from 'pino';
import type { CoreModules, Service } from '../util/index.js';
import type { ChainClient, BlockEvent } from './chainClient.js';
import type { MetagraphMetrics } from '../metrics/index.js';
import { readImmunity, readMetagraph } from './metagraphReader.js';
import { ReadPlanCache } from './readPlan.js';
import { standingOf, type FrozenMetagraph, type Standing } from './metagraphSnapshot.js';
import type { MetagraphSnapshot, MetagraphSource, NeuronInfo } from './metagraphTypes.js';

export interface MetagraphSyncOpts {
  netuid: number;
  /** Resync every this many blocks; capped at the subnet's tempo so that every epoch is seen. */
  syncEveryBlocks: number;
  /** The miner's hotkey (ss58), for ownNeuron() and standing(); omit for a read-only observer. */
  ownHotkey?: string;
  /** After a failed sync, wait at least this long before the next try (default 5 s). */
  retryMs?: number;
  /** The subnet mechanism to read (default 0). */
  mechanism?: number;
}

export interface MetagraphSyncModules extends CoreModules {
  chain: ChainClient;
  /** The metagraph's part of the chain metrics; null runs without. */
  metrics: MetagraphMetrics | null;
}

const MAX_LISTENERS = 64;

/**
 * Keeps the last good snapshot of one subnet, replaced whole (one reference swap) after each
 * successful sync. Syncs on start and then on a block schedule, never on last_update; a failed
 * sync keeps the previous snapshot and is retried on a later block.
 */
export class MetagraphSync implements MetagraphSource, Service {
  readonly name = 'metagraph';
  private readonly log: Logger;
  private readonly metrics: MetagraphMetrics | null;
  private readonly listeners = new Set<(snap: MetagraphSnapshot) => void>();
  private readonly plans: ReadPlanCache;
  private snap: FrozenMetagraph | undefined;
  private ownStanding: Standing | undefined;
  private wasRegistered: boolean | undefined;
  private inFlight: Promise<FrozenMetagraph> | undefined;
  private retryAfterMs = 0;
  private unsubBlocks: (() => void) | undefined;
  private running = false;

  constructor(
    private readonly opts: MetagraphSyncOpts,
    private readonly modules: MetagraphSyncModules,
  ) {
    this.log = modules.logger;
    this.plans = new ReadPlanCache(this.log);
    this.metrics = modules.metrics;
    this.metrics?.age.bind((g) => {
      if (this.snap) g.set((modules.clock.now() - this.snap.syncedAtMs) / 1000);
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubBlocks = this.modules.chain.onBlock((b) => this.onBlock(b));
    if (this.modules.chain.state().connected) {
      await this.syncNow().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubBlocks?.();
    this.unsubBlocks = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  current(): MetagraphSnapshot | undefined {
    return this.snap;
  }

  onUpdate(listener: (snap: MetagraphSnapshot) => void): () => void {
    if (this.listeners.size >= MAX_LISTENERS) throw new Error('metagraph: too many update listeners');
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ownNeuron(): NeuronInfo | undefined {
    return this.opts.ownHotkey && this.snap ? this.snap.byHotkey(this.opts.ownHotkey) : undefined;
  }

  /** The own hotkey's standing in the last snapshot; undefined before the first sync or without ownHotkey. */
  standing(): Standing | undefined {
    return this.ownStanding;
  }

  /** Blocks between syncs: syncEveryBlocks, but at least once per tempo. */
  interval(): number {
    const tempo = this.snap?.tempo ?? 0;
    return Math.max(1, tempo > 0 ? Math.min(this.opts.syncEveryBlocks, tempo) : this.opts.syncEveryBlocks);
  }

  private onBlock(b: BlockEvent): void {
    if (!this.running || this.inFlight) return;
    if (this.modules.clock.now() < this.retryAfterMs) return;
    if (this.snap && b.number - this.snap.block < this.interval() && b.number >= this.snap.block) return;
    this.syncNow().catch(() => undefined);
  }

  /** Syncs now (joining a sync already running); rejects when this sync fails, keeping the last snapshot. */
  syncNow(): Promise<FrozenMetagraph> {
    if (this.inFlight) return this.inFlight;
    const p = this.doSync().finally(() => {
      if (this.inFlight === p) this.inFlight = undefined;
    });
    this.inFlight = p;
    return p;
  }

  private async doSync(): Promise<FrozenMetagraph> {
    const t0 = this.modules.clock.monotonicMs();
    try {
      const api = this.modules.chain.api();
      const snap = await readMetagraph(api, this.opts.netuid, this.modules.clock, { plans: this.plans, mechanism: this.opts.mechanism ?? 0 });
      const first = this.snap === undefined;
      const nChanged = this.snap?.n !== snap.n;
      let standing: Standing | undefined;
      if (this.opts.ownHotkey) {
        const me = snap.byHotkey(this.opts.ownHotkey);
        const immunity = me ? await readImmunity(api, this.opts.netuid, me.uid, snap.block, snap.blockHash).catch(() => null) : null;
        standing = standingOf(snap, this.opts.ownHotkey, immunity);
      }
      this.snap = snap;
      this.ownStanding = standing;
      const secs = (this.modules.clock.monotonicMs() - t0) / 1000;
      this.metrics?.syncs.inc({ result: 'ok' });
      this.metrics?.syncDuration.set(secs);
      this.metrics?.neurons.set(snap.n);
      this.retryAfterMs = 0;
      const fields = { netuid: snap.netuid, block: snap.block, n: snap.n, source: snap.source, ms: Math.round(secs * 1000) };
      if (first || nChanged) this.log.info(fields, 'metagraph synced');
      else this.log.debug(fields, 'metagraph synced');
      if (standing) this.checkRegistration(standing);
      this.notify(snap);
      return snap;
    } catch (err) {
      this.metrics?.syncs.inc({ result: 'error' });
      this.retryAfterMs = this.modules.clock.now() + (this.opts.retryMs ?? 5_000);
      const e = err as { code?: string; message?: string };
      this.log.warn(
        { netuid: this.opts.netuid, code: e.code, err: e.message, lastGoodBlock: this.snap?.block },
        'metagraph sync failed; keeping last snapshot',
      );
      throw err;
    }
  }

  private checkRegistration(s: Standing): void {
    this.metrics?.registered.set(s.registered ? 1 : 0);
    const fields = { hotkey: s.hotkey, netuid: this.opts.netuid, block: s.block };
    if (!s.registered) {
      if (this.wasRegistered === true) this.log.error(fields, 'own hotkey DEREGISTERED: it no longer holds a uid on the subnet');
      else this.log.error(fields, 'own hotkey is not registered on the subnet');
    } else if (this.wasRegistered === false) {
      this.log.info({ ...fields, uid: s.uid }, 'own hotkey is registered again');
    } else if (this.wasRegistered === undefined) {
      this.log.info({ ...fields, uid: s.uid, position: s.position, minersCount: s.minersCount }, 'own neuron found');
    }
    this.wasRegistered = s.registered;
  }

  private notify(snap: FrozenMetagraph): void {
    for (const l of this.listeners) {
      try {
        l(snap);
      } catch (err) {
        this.log.error({ err }, 'metagraph listener failed');
      }
    }
  }
}
