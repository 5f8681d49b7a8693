import type ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { MinerError, type Clock } from '../util/index.js';
import type { DeviceMetrics } from '../metrics/index.js';
import { CPU_SOLO, type DeviceKind, type DeviceSpec } from './deviceSpec.js';
import { CoreShare } from './coreShare.js';
import { SessionPool, type SessionFactory } from './sessionPool.js';
import type { ModelSession } from './workerSession.js';

export interface DeviceSetOpts {
  devices: readonly DeviceSpec[];
  /** Session options per device, in the same order. */
  sessionOptions: readonly ort.InferenceSession.SessionOptions[];
  maxSessions: number;
  /** Runs at once per device; 0 = one on CPU (runs share its cores), unbounded on CUDA. */
  maxConcurrentRuns: number;
  /**
   * With two or more CPU devices: session options for one more CPU session set (`cpu:solo`) with
   * all their threads, which runs a batch that would otherwise run alone on one lane's share.
   */
  soloSessionOptions?: ort.InferenceSession.SessionOptions;
}

export interface DeviceSetModules {
  logger: Logger;
  clock: Clock;
  metrics: DeviceMetrics | null;
  createSession: SessionFactory;
  modelBytes: (name: string, kind: DeviceKind) => Promise<string | Uint8Array>;
}

/** What GET /health shows for one device. */
export interface DeviceStatus {
  device: string;
  state: 'up' | 'out';
  batches: number;
  items: number;
  queue: number;
}

/** How a batch reads a session: it builds its feeds on every attempt, since a run may move them away. */
export type SessionCall<T> = (s: ModelSession) => Promise<T>;

interface Job {
  expectedMs: number;
  startedAt: number | undefined;
}

interface Lane {
  spec: DeviceSpec;
  pool: SessionPool;
  /** Cores of the CPU share a run holds: 1 per CPU lane, all for the solo lane, 0 on a GPU or without a share. */
  cores: number;
  solo: boolean;
  up: boolean;
  jobs: Set<Job>;
  /** EWMA of run time per cost unit (ms per padded pixel), per model. */
  msPerCost: Map<string, number>;
  batches: number;
  items: number;
}

/** Thrown inside a run that reached a device already taken out: the batch moves on. */
class LaneOut extends Error {}

const EWMA_ALPHA = 0.3;

/**
 * Errors that say the batch is wrong rather than the device: the same batch would fail anywhere
 * (onnxruntime reports them as invalid arguments), or it did not fit in memory at that moment;
 * the batch fails and the device stays in rotation.
 */
const INPUT_ERROR =
  /invalid (argument|dimensions?|rank|input|shape)|unexpected input|input .*(missing|not found)|data type|typed array|must be an? |out of memory|failed to allocate/i;

export function isDeviceError(err: unknown): boolean {
  if (err instanceof LaneOut) return true;
  if (err instanceof MinerError) return err.code === 'MODEL_LOAD_FAILED';
  return !INPUT_ERROR.test(err instanceof Error ? err.message : String(err));
}

/**
 * One session pool per device. A batch goes to the device expected to finish it first (its
 * unfinished work plus the batch's cost times the device's measured time per cost unit); a
 * device whose session fails is taken out and the batch tried on the next one, once per device.
 * With several CPU lanes a solo lane may stand in for all of them (see `soloFor`).
 */
export class DeviceSet {
  private readonly lanes: Lane[];
  private readonly log: Logger;
  /** The cores the CPU lanes and the solo lane share; undefined without a solo lane. */
  private readonly share: CoreShare | undefined;

  constructor(
    private readonly opts: DeviceSetOpts,
    private readonly modules: DeviceSetModules,
  ) {
    this.log = modules.logger;
    const cpus = opts.devices.filter((d) => d.kind === 'cpu').length;
    this.share = opts.soloSessionOptions && cpus >= 2 ? new CoreShare(cpus) : undefined;
    const lane = (spec: DeviceSpec, sessionOptions: ort.InferenceSession.SessionOptions, solo: boolean): Lane => ({
      spec,
      pool: new SessionPool(
        { device: spec, sessionOptions, maxSessions: opts.maxSessions, runLimit: this.runLimit(spec) },
        { logger: modules.logger, createSession: modules.createSession, modelBytes: modules.modelBytes },
      ),
      cores: !this.share || spec.kind !== 'cpu' ? 0 : solo ? cpus : 1,
      solo,
      up: true,
      jobs: new Set<Job>(),
      msPerCost: new Map<string, number>(),
      batches: 0,
      items: 0,
    });
    this.lanes = opts.devices.map((spec, i) => lane(spec, opts.sessionOptions[i] ?? {}, false));
    if (this.share) this.lanes.push(lane(CPU_SOLO, opts.soloSessionOptions ?? {}, true));
    for (const l of this.lanes) {
      modules.metrics?.available.set({ device: l.spec.label }, 1);
      modules.metrics?.queueDepth.set({ device: l.spec.label }, 0);
    }
  }

  /** Devices batches are spread over (the solo lane, which stands in for all CPU lanes at once, not counted). */
  get size(): number {
    return this.lanes.filter((l) => !l.solo).length;
  }

  /** Every session set, the solo lane last: warm-up runs each of them. */
  specs(): DeviceSpec[] {
    return this.lanes.map((l) => l.spec);
  }

  upCount(): number {
    return this.lanes.filter((l) => l.up && !l.solo).length;
  }

  status(): DeviceStatus[] {
    return this.lanes.map((l) => ({ device: l.spec.label, state: l.up ? 'up' : 'out', batches: l.batches, items: l.items, queue: l.jobs.size }));
  }

  /** Models loaded on the devices still in rotation. */
  loaded(): string[] {
    return [...new Set(this.lanes.filter((l) => l.up).flatMap((l) => l.pool.loaded()))].sort();
  }

  /** Loads every model on every device, one at a time (parallel loads only contend for the same disk and cores). */
  async load(names: readonly string[]): Promise<void> {
    for (const l of this.lanes) for (const n of names) await l.pool.acquire(n);
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.pool.close()));
  }

  /** Runs one batch of `cost` units on the device expected to finish it first, retrying elsewhere if that device fails. */
  async run<T>(model: string, cost: number, items: number, call: SessionCall<T>): Promise<T> {
    const tried = new Set<Lane>();
    let lastErr: unknown;
    const solo = this.soloFor(model, cost);
    if (solo) {
      try {
        return await this.execute(solo, model, cost, items, call);
      } catch (err) {
        if (!isDeviceError(err)) throw err;
        this.takeOut(solo, model, err);
      }
    }
    for (;;) {
      const lane = this.pick(model, cost, tried);
      if (!lane) {
        throw new MinerError('INFERENCE_FAILED', this.upCount() === 0 ? 'no inference device is left in rotation' : 'model run failed on every device', {
          cause: lastErr,
        });
      }
      tried.add(lane);
      try {
        return await this.execute(lane, model, cost, items, call);
      } catch (err) {
        if (!isDeviceError(err)) throw err;
        this.takeOut(lane, model, err);
        lastErr = err;
      }
    }
  }

  /** Runs on one given device (warm-up covers every device); a failure here is not retried. */
  async runOn<T>(index: number, model: string, cost: number, items: number, call: SessionCall<T>): Promise<T> {
    const lane = this.lanes[index];
    if (!lane) throw new MinerError('INTERNAL', `no device #${index}`);
    return this.execute(lane, model, cost, items, call);
  }

  /** Expected ms until `lane` would finish a batch of `cost` for `model`, queued work included. */
  expectedFinishMs(lane: number, model: string, cost: number): number {
    const l = this.lanes[lane]!;
    return this.backlogMs(l) + this.estimateMs(l, model, cost);
  }

  private runLimit(spec: DeviceSpec): number {
    if (this.opts.maxConcurrentRuns > 0) return this.opts.maxConcurrentRuns;
    return spec.kind === 'cuda' ? Infinity : 1;
  }

  /**
   * The solo lane, when this batch would run alone: no CPU run holds or waits for a core, and a
   * CPU lane is where it would go. A lone batch on one lane's thread leaves the other cores idle.
   */
  private soloFor(model: string, cost: number): Lane | undefined {
    const solo = this.lanes.find((l) => l.solo);
    if (!solo?.up || !this.share?.idle()) return undefined;
    if (this.lanes.some((l) => l.cores > 0 && l.jobs.size > 0)) return undefined;
    return this.pick(model, cost, new Set())?.spec.kind === 'cpu' ? solo : undefined;
  }

  private pick(model: string, cost: number, tried: ReadonlySet<Lane>): Lane | undefined {
    let best: Lane | undefined;
    let bestAt = Infinity;
    for (const l of this.lanes) {
      if (!l.up || l.solo || tried.has(l)) continue;
      const at = this.backlogMs(l) + this.estimateMs(l, model, cost);
      if (at < bestAt || (at === bestAt && best !== undefined && l.jobs.size < best.jobs.size)) {
        best = l;
        bestAt = at;
      }
    }
    return best;
  }

  private backlogMs(l: Lane): number {
    const now = this.modules.clock.monotonicMs();
    let ms = 0;
    for (const j of l.jobs) ms += j.startedAt === undefined ? j.expectedMs : Math.max(0, j.expectedMs - (now - j.startedAt));
    return ms;
  }

  /** An unmeasured device is assumed as fast as the fastest measured one, so it gets tried. */
  private estimateMs(l: Lane, model: string, cost: number): number {
    let rate = l.msPerCost.get(model);
    if (rate === undefined) {
      const known = this.lanes
        .filter((o) => !o.solo)
        .map((o) => o.msPerCost.get(model))
        .filter((r): r is number => r !== undefined);
      rate = known.length > 0 ? Math.min(...known) : 0;
    }
    return rate * cost;
  }

  private async execute<T>(l: Lane, model: string, cost: number, items: number, call: SessionCall<T>): Promise<T> {
    const m = this.modules.metrics;
    const job: Job = { expectedMs: this.estimateMs(l, model, cost), startedAt: undefined };
    l.jobs.add(job);
    m?.queueDepth.set({ device: l.spec.label }, l.jobs.size);
    try {
      return await l.pool.withSession(model, async (s) => {
        const release = l.cores > 0 && this.share ? await this.share.take(l.cores) : undefined;
        try {
          if (!l.up) throw new LaneOut(`${l.spec.label} is out of rotation`);
          job.startedAt = this.modules.clock.monotonicMs();
          const out = await call(s);
          this.account(l, model, cost, items, this.modules.clock.monotonicMs() - job.startedAt);
          return out;
        } finally {
          release?.();
        }
      });
    } finally {
      l.jobs.delete(job);
      m?.queueDepth.set({ device: l.spec.label }, l.jobs.size);
    }
  }

  private account(l: Lane, model: string, cost: number, items: number, ms: number): void {
    const m = this.modules.metrics;
    const label = { device: l.spec.label, model };
    this.record(l, model, cost, ms);
    l.batches++;
    l.items += items;
    m?.batches.inc(label);
    m?.items.inc(label, items);
    m?.runSeconds.observe(label, ms / 1000);
  }

  private record(l: Lane, model: string, cost: number, ms: number): void {
    if (cost <= 0) return;
    const observed = ms / cost;
    const prev = l.msPerCost.get(model);
    l.msPerCost.set(model, prev === undefined ? observed : prev + EWMA_ALPHA * (observed - prev));
  }

  private takeOut(l: Lane, model: string, err: unknown): void {
    if (!l.up) return;
    l.up = false;
    this.modules.metrics?.available.set({ device: l.spec.label }, 0);
    this.modules.metrics?.failures.inc({ device: l.spec.label });
    const reason = err instanceof Error ? err.message : String(err);
    this.log.error({ device: l.spec.label, model, reason, devicesLeft: this.upCount() }, 'inference device failed, taken out of rotation');
  }
}
