import type { RotatedRect } from './geometry.js';
import type { RgbImage } from './imageDecode.js';

export interface LineTensor {
  /** CHW float32 [3, height, width], BGR, normalised to [-1, 1]. */
  data: Float32Array;
  height: number;
  width: number;
}

/** Smallest bucket that holds `w`, or the largest bucket. */
export function widthBucket(w: number, buckets: readonly number[]): number {
  for (const b of buckets) if (w <= b) return b;
  return buckets[buckets.length - 1]!;
}

/**
 * Buckets every `step` pixels up to the widest configured bucket (which stays the widest, since
 * wider lines are squeezed to it); step 0 keeps the configured buckets.
 */
export function cpuWidthBuckets(buckets: readonly number[], step: number): readonly number[] {
  const max = buckets[buckets.length - 1];
  if (step <= 0 || max === undefined) return buckets;
  const out: number[] = [];
  for (let w = step; w < max; w += step) out.push(w);
  out.push(max);
  return out;
}

/**
 * Samples a rotated line box straight out of the page (bilinear), resized to `height` rows
 * with the aspect kept (squeezed only beyond the widest bucket), flipped 180 degrees if asked.
 */
export function cropLine(img: RgbImage, r: RotatedRect, height: number, maxWidth: number, flip = false, widthScale = 1): LineTensor {
  const aspect = r.width / Math.max(r.height, 1e-3);
  const width = Math.max(8, Math.min(maxWidth, Math.round(height * aspect * widthScale)));
  const data = new Float32Array(3 * height * width);
  const plane = height * width;
  const vx = -r.uy,
    vy = r.ux;
  const x0 = r.cx - (r.ux * r.width) / 2 - (vx * r.height) / 2;
  const y0 = r.cy - (r.uy * r.width) / 2 - (vy * r.height) / 2;
  const su = r.width / width,
    sv = r.height / height;
  const { width: W, height: H, data: px } = img;
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      const a = (j + 0.5) * su,
        b = (i + 0.5) * sv;
      const sx = x0 + a * r.ux + b * vx - 0.5;
      const sy = y0 + a * r.uy + b * vy - 0.5;
      const xi = Math.floor(sx),
        yi = Math.floor(sy);
      const fx = sx - xi,
        fy = sy - yi;
      const x1 = Math.min(Math.max(xi, 0), W - 1),
        x2 = Math.min(Math.max(xi + 1, 0), W - 1);
      const y1 = Math.min(Math.max(yi, 0), H - 1),
        y2 = Math.min(Math.max(yi + 1, 0), H - 1);
      const p11 = (y1 * W + x1) * 3,
        p21 = (y1 * W + x2) * 3,
        p12 = (y2 * W + x1) * 3,
        p22 = (y2 * W + x2) * 3;
      const oi = flip ? (height - 1 - i) * width + (width - 1 - j) : i * width + j;
      for (let c = 0; c < 3; c++) {
        const top = px[p11 + c]! * (1 - fx) + px[p21 + c]! * fx;
        const bot = px[p12 + c]! * (1 - fx) + px[p22 + c]! * fx;
        const v = top * (1 - fy) + bot * fy;
        data[(2 - c) * plane + oi] = v / 127.5 - 1;
      }
    }
  }
  return { data, height, width };
}
