import type { Histogram } from 'prom-client';

export interface HistogramWindow {
  /** Observations since the previous read. */
  readonly count: number;
  readonly mean: number | null;
  /** Upper bound of the bucket holding the 50th / 95th percentile (null: none, or +Inf). */
  readonly p50: number | null;
  readonly p95: number | null;
}

interface Totals {
  count: number;
  sum: number;
  buckets: Map<number, number>;
}

/**
 * Reads a labelled histogram another subsystem owns (e.g. the batchers' batch size by model)
 * and summarises what was observed since the previous read, so the serving report shows batch
 * sizes. The label sets are the other subsystem's, small by contract.
 */
export class HistogramDelta {
  private prev = new Map<string, Totals>();

  constructor(
    private readonly histogram: Histogram<string>,
    private readonly label: string,
  ) {}

  async read(): Promise<Record<string, HistogramWindow>> {
    const { name, values } = await this.histogram.get();
    const now = totalsByLabel(values, name, this.label);
    const out: Record<string, HistogramWindow> = {};
    for (const [key, t] of now) {
      const p = this.prev.get(key);
      out[key] = summarize(t, p);
    }
    this.prev = now;
    return out;
  }
}

type Sample = { value: number; metricName?: string; labels: Record<string, string | number | undefined> };

function totalsByLabel(values: readonly Sample[], name: string, label: string): Map<string, Totals> {
  const out = new Map<string, Totals>();
  const get = (key: string): Totals => {
    let t = out.get(key);
    if (!t) {
      t = { count: 0, sum: 0, buckets: new Map() };
      out.set(key, t);
    }
    return t;
  };
  for (const v of values) {
    const key = String(v.labels[label] ?? '');
    if (v.metricName === `${name}_count`) get(key).count = v.value;
    else if (v.metricName === `${name}_sum`) get(key).sum = v.value;
    else if (v.metricName === `${name}_bucket`) {
      const le = v.labels['le'];
      get(key).buckets.set(le === '+Inf' ? Infinity : Number(le), v.value);
    }
  }
  return out;
}

function summarize(t: Totals, p: Totals | undefined): HistogramWindow {
  const count = t.count - (p?.count ?? 0);
  if (count <= 0) return { count: 0, mean: null, p50: null, p95: null };
  const sum = t.sum - (p?.sum ?? 0);
  const bounds = [...t.buckets.keys()].sort((a, b) => a - b);
  const quantile = (q: number): number | null => {
    for (const le of bounds) {
      const c = (t.buckets.get(le) ?? 0) - (p?.buckets.get(le) ?? 0);
      if (c >= q * count) return Number.isFinite(le) ? le : null;
    }
    return null;
  };
  return { count, mean: Math.round((sum / count) * 100) / 100, p50: quantile(0.5), p95: quantile(0.95) };
}
