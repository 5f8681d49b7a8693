import { hungarianMaxReward } from './hungarian.js';
import type { OcrLabel } from './invoiceGenerator.js';

/**
 * The OCR tutorial subnet's intended reward (opentensor/ocr_subnet, validator/reward.py):
 * predictions are matched to labels by the Hungarian algorithm on the section reward; each
 * section scores text (1 - edit distance / longer length), position (IoU, +1 pixel
 * convention) and font (mean of size closeness and family match), weighted equally; labels
 * left without a prediction score 0; extra predictions are not penalised (as the tutorial);
 * total = 0.8 * mean(section) + 0.2 * max(1 - seconds / 5, 0).
 */
export interface RewardWeights {
  readonly text: number;
  readonly position: number;
  readonly font: number;
  readonly prediction: number;
  readonly time: number;
  readonly maxTimeS: number;
  /** Off in the tutorial: unmatched predictions would count as zero sections too. */
  readonly penalizeExtraPredictions: boolean;
}

export const TUTORIAL_WEIGHTS: RewardWeights = {
  text: 1,
  position: 1,
  font: 1,
  prediction: 0.8,
  time: 0.2,
  maxTimeS: 5,
  penalizeExtraPredictions: false,
};

/** Bounds on what one miner answer may cost the scorer. */
export const MAX_PREDICTIONS = 256;
export const MAX_TEXT_CHARS = 256;

export interface SectionReward {
  readonly text: number;
  readonly position: number;
  readonly font: number;
  readonly total: number;
}

export interface PageScore {
  /** The tutorial's reward, time term included. */
  readonly total: number;
  /** Mean section reward (the quality bar's "score without the time term"). */
  readonly prediction: number;
  readonly timeReward: number;
  /** Per-component means over the scored sections, to see what limits the score. */
  readonly text: number;
  readonly position: number;
  readonly font: number;
  readonly labels: number;
  readonly predictions: number;
  /** Labels matched to a real prediction. */
  readonly matched: number;
}

interface Prediction {
  readonly text?: string;
  readonly position?: readonly [number, number, number, number];
  readonly font?: { readonly family?: string; readonly size?: number };
}

/** Levenshtein distance over code points (what Python's editdistance counts on str). */
export function editDistance(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = new Uint32Array(t.length + 1);
  let cur = new Uint32Array(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const sub = (prev[j - 1] as number) + (s[i - 1] === t[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[t.length] as number;
}

export function textReward(label: string, pred?: string): number {
  if (!pred) return 0;
  const longest = Math.max(Array.from(label).length, Array.from(pred).length);
  return 1 - editDistance(label, pred) / longest;
}

/** IoU with the +1 pixel convention of the tutorial (boxes are inclusive pixel ranges). */
export function iou(a: readonly number[], b?: readonly number[]): number {
  if (!b) return 0;
  const [ax0 = 0, ay0 = 0, ax1 = 0, ay1 = 0] = a;
  const [bx0 = 0, by0 = 0, bx1 = 0, by1 = 0] = b;
  const iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0) + 1);
  const ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0) + 1);
  const inter = iw * ih;
  const areaA = Math.max(0, ax1 - ax0 + 1) * Math.max(0, ay1 - ay0 + 1);
  const areaB = Math.max(0, bx1 - bx0 + 1) * Math.max(0, by1 - by0 + 1);
  const union = areaA + areaB - inter;
  return union > 0 ? Math.min(1, Math.max(0, inter / union)) : 0;
}

export function fontReward(label: OcrLabel['font'], pred?: Prediction['font']): number {
  if (!pred) return 0;
  const size = pred.size;
  const sizeScore = size !== undefined && size > 0 ? Math.max(0, 1 - Math.abs(label.size - size) / Math.max(label.size, size)) : 0;
  const familyScore = pred.family === label.family ? 1 : 0;
  return (sizeScore + familyScore) / 2;
}

export function sectionReward(label: OcrLabel, pred: Prediction, w: RewardWeights = TUTORIAL_WEIGHTS): SectionReward {
  const text = textReward(label.text, pred.text);
  const position = iou(label.position, pred.position);
  const font = fontReward(label.font, pred.font);
  const total = (w.text * text + w.position * position + w.font * font) / (w.text + w.position + w.font);
  return { text, position, font, total };
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Keeps only well-typed fields of a miner's item; anything malformed counts as missing. */
export function toPrediction(item: unknown): Prediction {
  if (typeof item !== 'object' || item === null) return {};
  const o = item as Record<string, unknown>;
  const out: { text?: string; position?: [number, number, number, number]; font?: { family?: string; size?: number } } = {};
  if (typeof o['text'] === 'string') out.text = o['text'].slice(0, MAX_TEXT_CHARS);
  const p = o['position'];
  if (Array.isArray(p) && p.length === 4 && p.every(finite)) {
    const [x0, y0, x1, y1] = p as [number, number, number, number];
    out.position = [x0, y0, x1, y1];
  }
  const f = o['font'];
  if (typeof f === 'object' && f !== null) {
    const fo = f as Record<string, unknown>;
    out.font = {
      ...(typeof fo['family'] === 'string' ? { family: fo['family'] } : {}),
      ...(finite(fo['size']) ? { size: fo['size'] } : {}),
    };
  }
  return out;
}

const ZERO: SectionReward = { text: 0, position: 0, font: 0, total: 0 };

/**
 * Scores one answer. `response` is the miner's `response` field as received; anything but a
 * list scores 0 in total, as the tutorial's `predictions is None`.
 */
export function scoreResponse(labels: readonly OcrLabel[], response: unknown, elapsedS: number, w: RewardWeights = TUTORIAL_WEIGHTS): PageScore {
  const timeReward = Math.max(1 - elapsedS / w.maxTimeS, 0);
  const empty = { text: 0, position: 0, font: 0, labels: labels.length, matched: 0 };
  if (!Array.isArray(response)) return { ...empty, total: 0, prediction: 0, timeReward, predictions: 0 };
  const preds = response.slice(0, MAX_PREDICTIONS).map(toPrediction);
  const matrix = labels.map((l) => preds.map((p) => sectionReward(l, p, w)));
  const assignment = preds.length > 0 ? hungarianMaxReward(matrix.map((row) => row.map((s) => s.total))) : [];
  const sections = labels.map((_, i) => {
    const j = assignment[i] ?? -1;
    return j >= 0 ? (matrix[i]?.[j] ?? ZERO) : ZERO;
  });
  const matched = assignment.filter((j) => j >= 0).length;
  const denom = w.penalizeExtraPredictions ? Math.max(labels.length, preds.length) : labels.length;
  const mean = (k: keyof SectionReward): number => (denom === 0 ? 0 : sections.reduce((acc, s) => acc + s[k], 0) / denom);
  const prediction = mean('total');
  const total = (w.prediction * prediction + w.time * timeReward) / (w.prediction + w.time);
  return {
    total,
    prediction,
    timeReward,
    text: mean('text'),
    position: mean('position'),
    font: mean('font'),
    labels: labels.length,
    predictions: preds.length,
    matched,
  };
}
