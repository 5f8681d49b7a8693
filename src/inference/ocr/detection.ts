import sharp from 'sharp';
import { minAreaRect, scaleRect, unclip, type Point, type RotatedRect } from './geometry.js';
import type { RgbImage } from './imageDecode.js';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

export interface DetInput {
  /** CHW float32, BGR channel order as PaddleOCR trains. */
  data: Float32Array;
  height: number;
  width: number;
}

/** Scales the longer side to `maxSide` and rounds both sides to multiples of 32. */
export function detShape(width: number, height: number, maxSide: number): [number, number] {
  const scale = maxSide / Math.max(width, height);
  const h = Math.max(32, Math.round((height * scale) / 32) * 32);
  const w = Math.max(32, Math.round((width * scale) / 32) * 32);
  return [h, w];
}

export async function detPreprocess(img: RgbImage, maxSide: number): Promise<DetInput> {
  const [height, width] = detShape(img.width, img.height, maxSide);
  const resized = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const src = 2 - c; // RGB -> BGR
    const m = MEAN[c]!,
      s = STD[c]!;
    const off = c * plane;
    for (let i = 0; i < plane; i++) data[off + i] = (resized[i * 3 + src]! / 255 - m) / s;
  }
  return { data, height, width };
}

export interface DbOpts {
  threshold: number;
  boxThreshold: number;
  unclipRatio: number;
  maxCandidates: number;
}

export interface DetectedBox {
  rect: RotatedRect;
  score: number;
}

interface Component {
  points: Point[];
  score: number;
}

/** Labels 8-connected regions of the thresholded map; keeps each row's extreme pixels for the hull. */
function components(prob: Float32Array, w: number, h: number, threshold: number, max: number): Component[] {
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const out: Component[] = [];
  for (let start = 0; start < w * h && out.length < max; start++) {
    if (seen[start] || prob[start]! <= threshold) continue;
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    let top = 0,
      sum = 0,
      count = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % w,
        y = (p - x) / w;
      sum += prob[p]!;
      count++;
      if (!(rowMin.get(y)! <= x)) rowMin.set(y, x);
      if (!(rowMax.get(y)! >= x)) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (seen[q] || prob[q]! <= threshold) continue;
          seen[q] = 1;
          stack[top++] = q;
        }
      }
    }
    const points: Point[] = [];
    for (const [y, x0] of rowMin) points.push([x0, y], [rowMax.get(y)!, y]);
    out.push({ points, score: sum / count });
  }
  return out;
}

/** DB post-processing: threshold, components, min-area boxes, score filter, unclip, back to image pixels. */
export function dbPostprocess(prob: Float32Array, mapW: number, mapH: number, imgW: number, imgH: number, opts: DbOpts): DetectedBox[] {
  const boxes: DetectedBox[] = [];
  for (const c of components(prob, mapW, mapH, opts.threshold, opts.maxCandidates)) {
    const rect = minAreaRect(c.points);
    if (Math.min(rect.width, rect.height) < 3 || c.score < opts.boxThreshold) continue;
    const grown = unclip(rect, opts.unclipRatio);
    if (Math.min(grown.width, grown.height) < 5) continue;
    boxes.push({ rect: scaleRect(grown, imgW / mapW, imgH / mapH), score: c.score });
  }
  return boxes;
}
