import type { Clock } from '../util/index.js';
import type { RequestObservation, RequestObserver } from '../util/index.js';

export interface ServingStatsOpts {
  /** Rolling window the figures cover. */
  windowMs?: number;
  /** Latency samples kept per synapse (the most recent ones inside the window). */
  maxSamplesPerSynapse?: number;
  /** Distinct synapse names tracked; further names count as "other" (names come from callers). */
  maxSynapses?: number;
}

export interface LatencySummary {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

export interface CacheCounts {
  readonly hit: number;
  readonly miss: number;
  readonly coalesced: number;
  readonly bypass: number;
  /** hit / (hit + miss + coalesced); null before any cache lookup. */
  readonly hitRate: number | null;
}

export interface ServingSnapshot {
  readonly windowSeconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Requests per HTTP-style status, as strings ("200", "503"). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Fraction of requests per non-200 status. */
  readonly errorRateByStatus: Readonly<Record<string, number>>;
  /** Fraction the miner failed (5xx and 408); refusals of bad callers (4xx) do not count. */
  readonly errorRatio: number;
  readonly overall: LatencySummary;
  readonly synapses: Readonly<Record<string, LatencySummary>>;
  readonly cache: CacheCounts;
  readonly transports: Readonly<Record<'http' | 'ws', number>>;
}

const CACHE_OUTCOMES = ['hit', 'miss', 'coalesced', 'bypass'] as const;
type CacheOutcome = (typeof CACHE_OUTCOMES)[number];

/** Counters of one second of traffic. */
interface SecondBucket {
  sec: number;
  total: number;
  byStatus: Map<number, number>;
  bySynapse: Map<string, number>;
  cache: Record<CacheOutcome, number>;
  http: number;
  ws: number;
}

/** Ring of the most recent latencies of one synapse, with their times. */
class LatencyRing {
  private readonly at: Float64Array;
  private readonly ms: Float64Array;
  private next = 0;
  private size = 0;
  constructor(capacity: number) {
    this.at = new Float64Array(capacity);
    this.ms = new Float64Array(capacity);
  }
  push(atMs: number, durationMs: number): void {
    this.at[this.next] = atMs;
    this.ms[this.next] = durationMs;
    this.next = (this.next + 1) % this.at.length;
    if (this.size < this.at.length) this.size++;
  }
  since(fromMs: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) {
      if (this.at[i]! >= fromMs) out.push(this.ms[i]!);
    }
    return out;
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Statuses that mean the miner failed the caller, not that it refused a bad one. */
export function isServerError(status: number): boolean {
  return status >= 500 || status === 408;
}

/**
 * Serving statistics over a rolling window, fed by the axon through `observe()`.
 * Memory is bounded: one bucket per second of the window, a fixed latency ring per synapse
 * and a cap on distinct synapse names.
 */
export class ServingStats implements RequestObserver {
  private readonly windowMs: number;
  private readonly maxSamples: number;
  private readonly maxSynapses: number;
  private readonly buckets: SecondBucket[];
  private readonly rings = new Map<string, LatencyRing>();

  constructor(
    opts: ServingStatsOpts,
    private readonly modules: { clock: Clock },
  ) {
    this.windowMs = Math.max(1_000, opts.windowMs ?? 60_000);
    this.maxSamples = Math.max(16, opts.maxSamplesPerSynapse ?? 4_096);
    this.maxSynapses = Math.max(1, opts.maxSynapses ?? 32);
    this.buckets = Array.from({ length: Math.ceil(this.windowMs / 1_000) }, () => emptyBucket(-1));
  }

  observe(o: RequestObservation): void {
    const now = this.modules.clock.now();
    const bucket = this.bucketAt(Math.floor(now / 1_000));
    const synapse = this.synapseKey(o.synapse);
    bucket.total++;
    bucket.byStatus.set(o.status, (bucket.byStatus.get(o.status) ?? 0) + 1);
    bucket.bySynapse.set(synapse, (bucket.bySynapse.get(synapse) ?? 0) + 1);
    if (o.cache) bucket.cache[o.cache]++;
    if (o.transport === 'ws') bucket.ws++;
    else bucket.http++;
    const ring = this.ringFor(synapse);
    if (Number.isFinite(o.durationMs) && o.durationMs >= 0) ring.push(now, o.durationMs);
  }

  snapshot(): ServingSnapshot {
    const now = this.modules.clock.now();
    const fromSec = Math.floor(now / 1_000) - this.buckets.length + 1;
    const live = this.buckets.filter((b) => b.sec >= fromSec);
    const seconds = this.windowMs / 1_000;
    const byStatus = new Map<number, number>();
    const bySynapse = new Map<string, number>();
    const cache: Record<CacheOutcome, number> = { hit: 0, miss: 0, coalesced: 0, bypass: 0 };
    let total = 0,
      http = 0,
      ws = 0;
    for (const b of live) {
      total += b.total;
      http += b.http;
      ws += b.ws;
      for (const [k, v] of b.byStatus) byStatus.set(k, (byStatus.get(k) ?? 0) + v);
      for (const [k, v] of b.bySynapse) bySynapse.set(k, (bySynapse.get(k) ?? 0) + v);
      for (const k of CACHE_OUTCOMES) cache[k] += b.cache[k];
    }
    const fromMs = fromSec * 1_000;
    const all: number[] = [];
    const synapses: Record<string, LatencySummary> = {};
    for (const [name, ring] of this.rings) {
      const samples = ring.since(fromMs);
      const count = bySynapse.get(name) ?? 0;
      if (count === 0 && samples.length === 0) continue;
      all.push(...samples);
      synapses[name] = summarize(samples, count, seconds);
    }
    return {
      windowSeconds: seconds,
      requests: total,
      requestsPerSecond: total / seconds,
      byStatus: Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
      errorRateByStatus: errorRates(byStatus, total),
      errorRatio: total === 0 ? 0 : sumWhere(byStatus, isServerError) / total,
      overall: summarize(all, total, seconds),
      synapses,
      cache: { ...cache, hitRate: hitRate(cache) },
      transports: { http, ws },
    };
  }

  private bucketAt(sec: number): SecondBucket {
    const idx = ((sec % this.buckets.length) + this.buckets.length) % this.buckets.length;
    let b = this.buckets[idx]!;
    if (b.sec !== sec) {
      b = emptyBucket(sec);
      this.buckets[idx] = b;
    }
    return b;
  }

  private synapseKey(name: string): string {
    if (this.rings.has(name)) return name;
    if (this.rings.size >= this.maxSynapses) return 'other';
    return name.length > 64 ? name.slice(0, 64) : name;
  }

  private ringFor(name: string): LatencyRing {
    let ring = this.rings.get(name);
    if (!ring) {
      ring = new LatencyRing(this.maxSamples);
      this.rings.set(name, ring);
    }
    return ring;
  }
}

function emptyBucket(sec: number): SecondBucket {
  return { sec, total: 0, byStatus: new Map(), bySynapse: new Map(), cache: { hit: 0, miss: 0, coalesced: 0, bypass: 0 }, http: 0, ws: 0 };
}

function summarize(samples: number[], count: number, seconds: number): LatencySummary {
  const sorted = samples.sort((a, b) => a - b);
  return {
    requests: count,
    requestsPerSecond: count / seconds,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : null,
  };
}

function errorRates(byStatus: Map<number, number>, total: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (total === 0) return out;
  for (const [status, n] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    if (status !== 200) out[String(status)] = n / total;
  }
  return out;
}

function sumWhere(m: Map<number, number>, pred: (k: number) => boolean): number {
  let s = 0;
  for (const [k, v] of m) if (pred(k)) s += v;
  return s;
}

function hitRate(c: Record<CacheOutcome, number>): number | null {
  const lookups = c.hit + c.miss + c.coalesced;
  return lookups === 0 ? null : c.hit / lookups;
}
