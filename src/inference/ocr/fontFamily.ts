import type { RgbImage } from './imageDecode.js';

/** Pixel region of a line's ink (right and bottom exclusive). */
export interface InkRegion {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Logistic model over glyph-shape features, fitted on lines drawn by three renderers
 * (reportlab + PyMuPDF, Pillow/FreeType with URW Nimbus, sharp with Liberation; see
 * docs/inference.md "OCR quality"). Fitted on two renderers and tested on the third it read
 * 94-98 % of lines right, except sharp's Times-Roman (75 %); page pooling in pageLayout.ts does
 * the rest.
 * Features: 8 bins of gradient orientation (magnitude-weighted, unsigned), the ratio of mean
 * horizontal to mean vertical ink-run length (stroke contrast: Times' hairlines are thin, its
 * stems are not), and total ink over solid ink.
 */
const MODEL = {
  mean: [0.18632, 0.0909, 0.08557, 0.11191, 0.10711, 0.09383, 0.11579, 0.20857, 0.65282, 1.06562],
  std: [0.04585, 0.02329, 0.02246, 0.03866, 0.03375, 0.0225, 0.02567, 0.05289, 0.13345, 0.0766],
  weight: [-0.4666, -1.5677, -0.6576, -0.103, 0.4023, 0.4172, 0.3395, 0.8505, -1.3868, 1.258],
  bias: 1.2366,
} as const;

const MIN_GRADIENT = 0.2;

/** Darkness 0..1 of every pixel of the region: 0 at the paper's grey, 1 at the ink's. */
function darkness(img: RgbImage, r: InkRegion): { v: Float32Array; w: number; h: number } {
  const w = r.right - r.left,
    h = r.bottom - r.top;
  const g = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = ((r.top + y) * img.width + r.left + x) * 3;
      g[y * w + x] = (img.data[p]! * 77 + img.data[p + 1]! * 150 + img.data[p + 2]! * 29) / 256;
    }
  const sorted = Float32Array.from(g).sort();
  const paper = sorted[Math.floor(sorted.length * 0.6)]!;
  const ink = sorted[Math.floor(sorted.length * 0.02)]!;
  const span = Math.max(1, paper - ink);
  const v = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) v[i] = Math.min(1, Math.max(0, (paper - g[i]!) / span));
  return { v, w, h };
}

/** Magnitude-weighted histogram of Sobel gradient orientations in [0, pi), 8 bins, summing to 1. */
function orientations(v: Float32Array, w: number, h: number): number[] {
  const hist = [0, 0, 0, 0, 0, 0, 0, 0];
  let total = 0;
  const at = (i: number) => v[i]!;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = at(i + 1 - w) + 2 * at(i + 1) + at(i + 1 + w) - at(i - 1 - w) - 2 * at(i - 1) - at(i - 1 + w);
      const gy = at(i + w - 1) + 2 * at(i + w) + at(i + w + 1) - at(i - w - 1) - 2 * at(i - w) - at(i - w + 1);
      const m = Math.hypot(gx, gy);
      if (m < MIN_GRADIENT) continue;
      let a = Math.atan2(gy, gx);
      if (a < 0) a += Math.PI;
      hist[Math.min(7, Math.floor((a / Math.PI) * 8))]! += m;
      total += m;
    }
  return hist.map((q) => q / Math.max(1e-9, total));
}

/** Mean length of solid ink runs along rows (horizontal) and along columns (vertical). */
function runLengths(v: Float32Array, w: number, h: number): { horizontal: number; vertical: number } {
  const mean = (outer: number, inner: number, at: (o: number, i: number) => number) => {
    let sum = 0,
      runs = 0;
    for (let o = 0; o < outer; o++) {
      let run = 0;
      for (let i = 0; i <= inner; i++) {
        if (i < inner && at(o, i) > 0.5) run++;
        else if (run > 0) {
          sum += run;
          runs++;
          run = 0;
        }
      }
    }
    return sum / Math.max(1, runs);
  };
  return { horizontal: mean(h, w, (y, x) => v[y * w + x]!), vertical: mean(w, h, (x, y) => v[y * w + x]!) };
}

/** The model's features for a line's ink; undefined when the region is too small to judge. */
export function glyphFeatures(img: RgbImage, r: InkRegion): number[] | undefined {
  const region = {
    left: Math.max(0, Math.floor(r.left)),
    top: Math.max(0, Math.floor(r.top)),
    right: Math.min(img.width, Math.ceil(r.right)),
    bottom: Math.min(img.height, Math.ceil(r.bottom)),
  };
  if (region.right - region.left < 6 || region.bottom - region.top < 5) return undefined;
  const { v, w, h } = darkness(img, region);
  const runs = runLengths(v, w, h);
  let sum = 0,
    solid = 0;
  for (const q of v) {
    sum += q;
    if (q > 0.5) solid++;
  }
  if (solid === 0) return undefined;
  return [...orientations(v, w, h), runs.horizontal / Math.max(1e-6, runs.vertical), sum / solid];
}

/**
 * Evidence that a line is set in Times-Roman rather than Helvetica, from the shapes of its
 * glyphs only (no metrics, so it does not depend on the renderer's hinting or the line's size):
 * a log-odds, positive for Times-Roman, 0 when there is nothing to judge.
 */
export function serifLogit(img: RgbImage, r: InkRegion): number {
  const f = glyphFeatures(img, r);
  if (!f) return 0;
  let z = MODEL.bias;
  for (let i = 0; i < f.length; i++) z += (MODEL.weight[i]! * (f[i]! - MODEL.mean[i]!)) / MODEL.std[i]!;
  return z;
}
