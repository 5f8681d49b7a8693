import type { CachePolicy, ExecuteResult, RequestContext, SynapseBody, SynapseExecutor, SynapseHandler } from '../synapse/index.js';
import { MinerError, type CoreModules, type Logger, type Service, type TimerHandle } from '../util/index.js';
import type { CacheMetrics } from '../metrics/index.js';
import { cacheKey } from './cacheKey.js';
import { DiskTier } from './diskTier.js';
import { InFlight } from './inFlight.js';
import { MemoryTier, toMemoryEntry, deepFreeze } from './memoryTier.js';
import { RedisTier } from './redisTier.js';
import type { CacheClearReport, CacheOutcome, CachePruneReport, CacheStats, ResponseCacheOptions, SynapseCachePolicy } from './cacheTypes.js';
import type { CacheTierName, StoredEntry } from './storedEntry.js';

interface FlightResult {
  /** Deep-frozen: callers get shallow copies, so no caller can change another's answer. */
  value: Readonly<SynapseBody>;
  source: 'computed' | 'disk' | 'redis';
}

const ERROR_LOG_EVERY_MS = 60_000;

export interface ResponseCacheModules extends CoreModules {
  /** The cache's part of the miner's metrics; null runs without. */
  metrics: CacheMetrics | null;
}

/**
 * The response cache: a SynapseExecutor wrapped around the scheduler. A memory hit returns at
 * once; a miss joins an identical computation in flight or starts one, which first asks the
 * disk and Redis tiers and only then runs the model. Every caller gets its own copy of the body.
 */
export class ResponseCache implements Service {
  readonly name = 'cache';
  private readonly log: Logger;
  private readonly memory: MemoryTier;
  private readonly disk: DiskTier | undefined;
  private readonly redis: RedisTier | undefined;
  private readonly inflight: InFlight<FlightResult>;
  private readonly metrics: CacheMetrics | null;
  private readonly counts = { hits: 0, misses: 0, coalesced: 0, bypassed: 0 };
  private readonly tierHits: Record<CacheTierName, number> = { memory: 0, disk: 0, redis: 0 };
  private readonly lastErrorLog = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly opts: ResponseCacheOptions,
    private readonly modules: ResponseCacheModules,
  ) {
    this.log = modules.logger;
    const clock = modules.clock;
    const onError = (tier: CacheTierName) => (op: string, err: unknown) => this.tierError(tier, op, err);
    this.memory = new MemoryTier(opts.memory, clock, () => this.metrics?.evictions.inc({ tier: 'memory' }));
    this.disk =
      opts.enabled && opts.disk.enabled
        ? new DiskTier(opts.disk, {
            clock,
            logger: this.log,
            onEvict: () => this.metrics?.evictions.inc({ tier: 'disk' }),
            onError: onError('disk'),
          })
        : undefined;
    this.redis =
      opts.enabled && opts.redis.enabled
        ? new RedisTier({ ...opts.redis, password: opts.redisPassword }, { clock, logger: this.log, onError: onError('redis') })
        : undefined;
    this.inflight = new InFlight<FlightResult>(clock, opts.maxInFlight ?? 10_000);
    this.metrics = modules.metrics;
    this.bindTierGauges();
  }

  private bindTierGauges(): void {
    const tiers = (): Array<{ tier: CacheTierName; entries: number; bytes: number }> => [
      { tier: 'memory', entries: this.memory.entries, bytes: this.memory.bytes },
      ...(this.disk ? [{ tier: 'disk' as const, entries: this.disk.entries, bytes: this.disk.bytes }] : []),
    ];
    this.metrics?.sizeBytes.bind((g) => {
      for (const t of tiers()) g.set({ tier: t.tier }, t.bytes);
    });
    this.metrics?.entries.bind((g) => {
      for (const t of tiers()) g.set({ tier: t.tier }, t.entries);
    });
  }

  /** Opens the disk tier and connects Redis (a Redis that is down is retried in the background). */
  start(): Promise<void> {
    this.starting ??= this.open().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async open(): Promise<void> {
    try {
      await this.disk?.open();
    } catch (err) {
      throw new MinerError(
        'CONFIG_INVALID',
        `cache.disk.dir ${JSON.stringify(this.opts.disk.dir)} is not usable ` +
          `(${err instanceof Error ? err.message : String(err)}); fix: point it at a writable directory or set cache.disk.enabled=false`,
        { cause: err },
      );
    }
    await this.redis?.start();
    const every = this.opts.pruneIntervalMs ?? 60_000;
    this.timer = this.modules.clock.setInterval(() => void this.sweep(), every, { unref: true });
  }

  async stop(): Promise<void> {
    const starting = this.starting;
    if (!starting) return;
    await starting.catch(() => {});
    if (this.starting !== starting) return;
    this.starting = undefined;
    this.modules.clock.clearTimer(this.timer);
    this.timer = undefined;
    await this.disk?.close();
    await this.redis?.stop();
  }

  /** The executor the axon calls: `executor: cache.wrap(scheduler)`; each result says how the cache answered. */
  wrap(next: SynapseExecutor): SynapseExecutor {
    return { execute: (synapse, input, ctx) => this.execute(next, synapse, input, ctx) };
  }

  policyFor(synapse: string): SynapseCachePolicy {
    const p = this.opts.synapses[synapse];
    if (p) return p.ttlMs === undefined ? { policy: p.policy, dedupInFlight: p.dedupInFlight } : p;
    return { policy: this.opts.defaultPolicy, dedupInFlight: this.opts.defaultPolicy !== 'off' };
  }

  private async execute(next: SynapseExecutor, synapse: SynapseHandler, input: unknown, ctx: RequestContext): Promise<ExecuteResult> {
    const pol = this.policyFor(synapse.name);
    const storing = pol.policy !== 'off';
    const key = !this.opts.enabled || (!storing && !pol.dedupInFlight) ? undefined : this.keyOf(synapse, input, pol.policy, ctx.callerHotkey);
    if (key === undefined) {
      try {
        return { outputs: (await next.execute(synapse, input, ctx)).outputs, cache: 'bypass' };
      } finally {
        this.note(ctx, 'bypass');
      }
    }
    if (storing) {
      const hit = this.memory.get(key);
      this.metrics?.requests.inc({ tier: 'memory', result: hit ? 'hit' : 'miss' });
      if (hit) {
        this.tierHits.memory++;
        this.note(ctx, 'hit');
        return { outputs: { ...hit.value }, cache: 'hit' };
      }
    }
    const run = (c: RequestContext): Promise<FlightResult> => this.resolve(next, synapse, input, c, key, pol);
    const flight = pol.dedupInFlight ? this.inflight.join(key, ctx, run) : undefined;
    if (flight?.joined) this.metrics?.coalesced.inc();
    let outcome: CacheOutcome = flight?.joined ? 'coalesced' : 'miss';
    try {
      const result = await (flight ? flight.result : run(ctx));
      if (!flight?.joined && result.source !== 'computed') outcome = 'hit';
      return { outputs: { ...result.value }, cache: outcome };
    } finally {
      this.note(ctx, outcome);
    }
  }

  /** Undefined for an input that cannot be put in canonical form (too deep): it is served uncached. */
  private keyOf(synapse: SynapseHandler, input: unknown, policy: CachePolicy, callerHotkey: string): string | undefined {
    try {
      return cacheKey({ synapse, input, policy, callerHotkey });
    } catch (err) {
      this.log.debug({ synapse: synapse.name, err: err instanceof Error ? err.message : String(err) }, 'no cache key for input');
      return undefined;
    }
  }

  /** Runs once per flight: the slower tiers, then the model; stores what the model answered. */
  private async resolve(
    next: SynapseExecutor,
    synapse: SynapseHandler,
    input: unknown,
    ctx: RequestContext,
    key: string,
    pol: SynapseCachePolicy,
  ): Promise<FlightResult> {
    if (pol.policy !== 'off') {
      const found = await this.lookupSlow(key);
      if (found) return found;
    }
    const body = (await next.execute(synapse, input, ctx)).outputs;
    // A copy through JSON: what every caller gets is what the wire and the stored tiers carry.
    const json = JSON.stringify(body);
    const value = deepFreeze(JSON.parse(json) as SynapseBody);
    if (pol.policy !== 'off') this.store(key, json, value, pol.ttlMs);
    return { value, source: 'computed' };
  }

  private async lookupSlow(key: string): Promise<FlightResult | undefined> {
    if (this.disk) {
      const e = await this.disk.get(key);
      this.metrics?.requests.inc({ tier: 'disk', result: e ? 'hit' : 'miss' });
      if (e) {
        this.tierHits.disk++;
        const m = toMemoryEntry(e);
        this.memory.set(key, m);
        return { value: m.value, source: 'disk' };
      }
    }
    if (this.redis?.available) {
      const e = await this.redis.get(key);
      this.metrics?.requests.inc({ tier: 'redis', result: e ? 'hit' : 'miss' });
      if (e) {
        this.tierHits.redis++;
        const m = toMemoryEntry(e);
        this.memory.set(key, m);
        this.disk?.set(key, e);
        return { value: m.value, source: 'redis' };
      }
    }
    return undefined;
  }

  private store(key: string, json: string, value: Readonly<SynapseBody>, synapseTtlMs: number | undefined): void {
    const createdMs = this.modules.clock.now();
    const cap = synapseTtlMs ?? Number.POSITIVE_INFINITY;
    const entry = (tierTtlMs: number): StoredEntry => ({ createdMs, expiresMs: createdMs + Math.min(tierTtlMs, cap), json });
    this.memory.set(key, toMemoryEntry(entry(this.opts.memory.ttlMs), value));
    this.disk?.set(key, entry(this.opts.disk.ttlMs));
    this.redis?.set(key, entry(this.opts.redis.ttlMs));
  }

  private note(ctx: RequestContext, outcome: CacheOutcome): void {
    if (outcome === 'hit') this.counts.hits++;
    else if (outcome === 'miss') this.counts.misses++;
    else if (outcome === 'coalesced') this.counts.coalesced++;
    else this.counts.bypassed++;
    try {
      this.opts.onOutcome?.(ctx.requestId, outcome);
    } catch (err) {
      this.log.warn({ err }, 'cache outcome callback threw');
    }
  }

  private tierError(tier: CacheTierName, op: string, err: unknown): void {
    this.metrics?.errors.inc({ tier });
    const now = Date.now();
    const last = this.lastErrorLog.get(tier) ?? 0;
    if (now - last < ERROR_LOG_EVERY_MS) return;
    this.lastErrorLog.set(tier, now);
    this.log.warn({ tier, op, err: err instanceof Error ? err.message : String(err) }, 'cache tier error, treated as a miss');
  }

  /** Numbers for the periodic status log. */
  stats(): CacheStats {
    const { hits, misses, coalesced, bypassed } = this.counts;
    const served = hits + misses + coalesced;
    return {
      enabled: this.opts.enabled,
      requests: served + bypassed,
      hits,
      misses,
      coalesced,
      bypassed,
      hitRate: served === 0 ? 0 : hits / served,
      savedRate: served === 0 ? 0 : (hits + coalesced) / served,
      hitsByTier: { ...this.tierHits },
      inFlight: this.inflight.size,
      memory: { entries: this.memory.entries, bytes: this.memory.bytes, maxBytes: this.memory.maxBytes },
      ...(this.disk ? { disk: { entries: this.disk.entries, bytes: this.disk.bytes, maxBytes: this.disk.maxBytes, dir: this.disk.dir } } : {}),
      ...(this.redis ? { redis: { state: this.redis.status } } : {}),
    };
  }

  /** Forgets every stored answer in every tier (Redis: only this miner's key prefix). */
  async clear(): Promise<CacheClearReport> {
    const report: CacheClearReport = { memory: this.memory.clear() };
    if (this.disk) report.disk = await this.disk.clear();
    if (this.redis) report.redis = await this.redis.scanKeys(true).catch((err: unknown) => `failed: ${String(err)}`);
    return report;
  }

  /** Removes expired, corrupt and over-budget entries now. */
  async prune(): Promise<CachePruneReport> {
    const report: CachePruneReport = { memory: this.memory.prune() };
    if (this.disk) report.disk = await this.disk.prune();
    if (this.redis) report.redis = 0;
    return report;
  }

  /** Waits for background disk writes (for orderly tests and shutdown). */
  async flush(): Promise<void> {
    await this.disk?.flush();
  }

  private async sweep(): Promise<void> {
    this.memory.prune();
    await this.disk?.sweep().catch((err: unknown) => this.tierError('disk', 'sweep', err));
  }
}
