import { InvoiceGenerator } from './invoiceGenerator.js';
import type { DendriteClient, DendriteForm } from './minerQuery.js';
import { scoreResponse, TUTORIAL_WEIGHTS, type PageScore } from './ocrReward.js';

/** Answers one page: the miner's `response` field, the status and the round-trip time. */
export type PageQuery = (base64Image: string) => Promise<{ status: number; response: unknown; latencyMs: number }>;

export interface ScorePagesOpts {
  pages: number;
  seed?: string | number;
  /** Pages asked at once (default 1: latency as a lone validator sees it). */
  concurrency?: number;
}

export interface PagesSummary {
  readonly pages: number;
  readonly failures: number;
  /** The tutorial's reward including the time term. */
  readonly meanTotal: number;
  /** Mean section reward: the quality bar's score without the time term. */
  readonly meanPrediction: number;
  readonly meanText: number;
  readonly meanPosition: number;
  readonly meanFont: number;
  readonly meanLatencyMs: number;
  readonly p50LatencyMs: number;
  readonly p95LatencyMs: number;
  readonly maxLatencyMs: number;
  readonly meanLabels: number;
  readonly meanPredictions: number;
  readonly perPage: readonly (PageScore & { status: number; latencyMs: number })[];
}

/** Builds a PageQuery that asks one axon through the dendrite. */
export function dendritePageQuery(
  dendrite: DendriteClient,
  target: { host: string; port: number; axonHotkey: string; timeoutMs: number; transport: 'http' | 'ws'; form?: DendriteForm },
): PageQuery {
  return async (base64Image) => {
    const a = await dendrite.query({
      host: target.host,
      port: target.port,
      axonHotkey: target.axonHotkey,
      synapse: 'OCRSynapse',
      body: { base64_image: base64Image },
      timeoutMs: target.timeoutMs,
      transport: target.transport,
      ...(target.form ? { form: target.form } : {}),
    });
    return { status: a.status, response: a.status === 200 ? a.body?.['response'] : undefined, latencyMs: a.latencyMs };
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * Generates `pages` invoice pages, asks `query` for each, and scores the answers with the
 * tutorial's reward. Used to measure the OCR quality bar (mean without the time term).
 */
export async function scorePages(opts: ScorePagesOpts, query: PageQuery, generator: InvoiceGenerator = new InvoiceGenerator()): Promise<PagesSummary> {
  const seed = opts.seed ?? 'score';
  const width = Math.max(1, opts.concurrency ?? 1);
  const perPage: (PageScore & { status: number; latencyMs: number })[] = [];
  for (let i = 0; i < opts.pages; i += width) {
    const idx = Array.from({ length: Math.min(width, opts.pages - i) }, (_, k) => i + k);
    const pages = await Promise.all(idx.map((k) => generator.generate(`${seed}:${k}`)));
    const answers = await Promise.all(
      pages.map(async (p) => {
        try {
          return await query(p.base64Image);
        } catch {
          return { status: 0, response: undefined, latencyMs: Number.NaN };
        }
      }),
    );
    answers.forEach((a, k) => {
      const page = pages[k]!;
      const elapsedS = Number.isFinite(a.latencyMs) ? a.latencyMs / 1000 : Infinity;
      const s = scoreResponse(page.labels, a.status === 200 ? a.response : undefined, elapsedS, TUTORIAL_WEIGHTS);
      perPage.push({ ...s, status: a.status, latencyMs: a.latencyMs });
    });
  }
  return summarize(perPage);
}

function summarize(perPage: (PageScore & { status: number; latencyMs: number })[]): PagesSummary {
  const n = perPage.length;
  const mean = (f: (p: PageScore & { latencyMs: number }) => number): number => (n === 0 ? 0 : perPage.reduce((a, p) => a + f(p), 0) / n);
  const lat = perPage
    .map((p) => p.latencyMs)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return {
    pages: n,
    failures: perPage.filter((p) => p.status !== 200).length,
    meanTotal: mean((p) => p.total),
    meanPrediction: mean((p) => p.prediction),
    meanText: mean((p) => p.text),
    meanPosition: mean((p) => p.position),
    meanFont: mean((p) => p.font),
    meanLatencyMs: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : 0,
    p50LatencyMs: percentile(lat, 50),
    p95LatencyMs: percentile(lat, 95),
    maxLatencyMs: lat.length ? (lat[lat.length - 1] ?? 0) : 0,
    meanLabels: mean((p) => p.labels),
    meanPredictions: mean((p) => p.predictions),
    perPage,
  };
}
