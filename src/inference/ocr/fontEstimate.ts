import { corners, type RotatedRect } from './geometry.js';
import type { RgbImage } from './imageDecode.js';
import { FONTS, advanceEm, inkExtentEm, sideBearingsEm, type FontMetrics } from './fontMetrics.js';

/** Pixel edges of a line's ink (right and bottom exclusive). */
export interface InkBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** 1 where a column (from `left`) holds ink. */
  columns: Uint8Array;
}

export interface FontGuess {
  font: FontMetrics;
  sizePx: number;
  /** |log(ink width / predicted width)|: how well the family explains the line's width. */
  widthError: number;
  /** The same, signed, so noise cancels when lines are pooled. */
  widthLog: number;
}

const MIN_BLOB_PX = 4;

/** Removes specks (noise) smaller than a glyph's dot from a binary mask. */
function dropSpecks(mask: Uint8Array, w: number, h: number): void {
  const stack: number[] = [];
  const blob: number[] = [];
  for (let s = 0; s < w * h; s++) {
    if (mask[s] !== 1) continue;
    blob.length = 0;
    stack.push(s);
    mask[s] = 2;
    while (stack.length > 0) {
      const p = stack.pop()!;
      blob.push(p);
      const x = p % w,
        y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx,
            ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (mask[q] === 1) {
            mask[q] = 2;
            stack.push(q);
          }
        }
    }
    if (blob.length < MIN_BLOB_PX) for (const p of blob) mask[p] = 0;
  }
}

/** Rows of the band of ink that contains the box's middle row; a 1-row gap (an i's dot) does not end it. */
function inkBand(rowInk: Uint8Array, mid: number): [number, number] | undefined {
  let seed = -1;
  for (let d = 0; d < rowInk.length && seed < 0; d++) {
    if (rowInk[mid + d]) seed = mid + d;
    else if (rowInk[mid - d]) seed = mid - d;
  }
  if (seed < 0) return undefined;
  let top = seed,
    bottom = seed;
  while (top > 0 && (rowInk[top - 1] || (top > 1 && rowInk[top - 2]))) top -= rowInk[top - 1] ? 1 : 2;
  while (bottom < rowInk.length - 1 && (rowInk[bottom + 1] || rowInk[bottom + 2])) bottom += rowInk[bottom + 1] ? 1 : 2;
  return [top, bottom];
}

/**
 * The ink of a detected line: the DB box can be tighter than the glyphs, so look around it,
 * threshold halfway between paper and ink, drop specks, and keep the band of rows holding the
 * box's middle (not a neighbouring line).
 */
export function findInk(img: RgbImage, rect: RotatedRect): InkBox | undefined {
  const pts = corners(rect);
  const padY = rect.height * 0.6,
    padX = rect.height * 0.3;
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((p) => p[0])) - padX)),
    x1 = Math.min(img.width, Math.ceil(Math.max(...pts.map((p) => p[0])) + padX));
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((p) => p[1])) - padY)),
    y1 = Math.min(img.height, Math.ceil(Math.max(...pts.map((p) => p[1])) + padY));
  const w = x1 - x0,
    h = y1 - y0;
  if (w < 2 || h < 2) return undefined;
  const mask = inkMask(img, x0, y0, w, h);
  if (!mask) return undefined;
  const rowInk = new Uint8Array(h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (mask[y * w + x]) {
        rowInk[y] = 1;
        break;
      }
  const band = inkBand(rowInk, Math.round(rect.cy - y0));
  if (!band) return undefined;
  const [top, bottom] = band;
  const cols = inkColumns(mask, w, top, bottom);
  if (!cols) return undefined;
  return { left: x0 + cols.left, top: y0 + top, right: x0 + cols.left + cols.columns.length, bottom: y0 + bottom + 1, columns: cols.columns };
}

/** Ink pixels of a page region: gray below halfway between paper and ink, specks dropped; undefined on a blank region. */
function inkMask(img: RgbImage, x0: number, y0: number, w: number, h: number): Uint8Array | undefined {
  const gray = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = ((y0 + y) * img.width + x0 + x) * 3;
      gray[y * w + x] = (img.data[p]! * 77 + img.data[p + 1]! * 150 + img.data[p + 2]! * 29) >> 8;
    }
  const sorted = Uint8Array.from(gray).sort();
  const paper = sorted[Math.floor(sorted.length * 0.7)]!;
  const ink = sorted[Math.floor(sorted.length * 0.02)]!;
  if (paper - ink < 40) return undefined;
  const thr = (paper + ink) / 2;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) mask[i] = gray[i]! < thr ? 1 : 0;
  dropSpecks(mask, w, h);
  return mask;
}

/** The inked columns of the rows top..bottom, from the first inked one to the last. */
function inkColumns(mask: Uint8Array, w: number, top: number, bottom: number): { left: number; columns: Uint8Array } | undefined {
  let left = w,
    right = -1;
  for (let y = top; y <= bottom; y++)
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
    }
  if (right < 0) return undefined;
  const columns = new Uint8Array(right - left + 1);
  for (let y = top; y <= bottom; y++) for (let x = left; x <= right; x++) if (mask[y * w + x] !== 0) columns[x - left] = 1;
  return { left, columns };
}

/** For each family: the size that explains the ink height of this text, and how well it explains the width. */
export function guessFonts(ink: InkBox, text: string): FontGuess[] {
  const inkH = ink.bottom - ink.top,
    inkW = ink.right - ink.left;
  return FONTS.map((font) => {
    const ext = inkExtentEm(font, text);
    const sizePx = inkH / Math.max(ext.top - ext.bottom, 0.3);
    const predicted = Math.max(advanceEm(font, text) * sizePx, 1);
    const widthLog = Math.log(inkW / predicted);
    return { font, sizePx, widthError: Math.abs(widthLog), widthLog };
  }).sort((a, b) => a.widthError - b.widthError);
}

/**
 * The label box of the tutorial's generator for a line drawn at `sizePx`: from the pen start to
 * start + advance width, and from baseline - 0.8 size to baseline + 0.2 size. The pen and the
 * advance's end lie the first and last glyph's bearings outside the ink; where the ink's width
 * disagrees with the text's (a misread), the ink's right end is the better guess.
 */
export function labelBox(ink: InkBox, text: string, font: FontMetrics, sizePx: number): [number, number, number, number] {
  const ext = inkExtentEm(font, text);
  const fromBottom = ink.bottom + ext.bottom * sizePx;
  const fromTop = ink.top + ext.top * sizePx;
  const baseline = (fromBottom + fromTop) / 2;
  const bearings = sideBearingsEm(font, text);
  const x0 = ink.left - bearings.left * sizePx;
  const inkRight = ink.right + bearings.right * sizePx;
  const byAdvance = x0 + advanceEm(font, text) * sizePx;
  // A misread is off by whole glyphs; hairlines (a Times '1''s foot) missed by the ink threshold are not.
  const x1 = Math.abs(byAdvance - inkRight) < Math.max(0.15 * (inkRight - x0), 0.3 * sizePx) ? byAdvance : inkRight;
  return [x0, baseline - 0.8 * sizePx, x1, baseline + 0.2 * sizePx];
}

/**
 * The recogniser often drops spaces between words. Puts one back where the ink between two
 * consecutive characters has a gap of at least `gapEm` (word spaces are ~0.25-0.28 em plus
 * side bearings; letter gaps are smaller).
 */
export function restoreSpaces(
  text: string,
  steps: readonly number[],
  ink: InkBox,
  rect: { cx: number; width: number },
  cropWidth: number,
  emPx: number,
  gapEm: number,
): string {
  const chars = [...text];
  if (chars.length !== steps.length || chars.length < 2) return tidyAmounts(tidySpaces(text));
  const left = rect.cx - rect.width / 2;
  const colOf = (t: number) => Math.round(left + ((8 * t + 4) * rect.width) / cropWidth) - ink.left;
  const minGap = Math.max(2, gapEm * emPx);
  let out = chars[0]!;
  for (let i = 1; i < chars.length; i++) {
    const a = chars[i - 1]!,
      b = chars[i]!;
    // Invoice numbers and amounts never split digits; their bearings (a '1') mimic word gaps.
    if (a !== ' ' && b !== ' ' && !(/\d/.test(a) && /\d/.test(b))) {
      let run = 0,
        best = 0;
      const from = Math.max(0, colOf(steps[i - 1]!)),
        to = Math.min(ink.columns.length, colOf(steps[i]!));
      for (let x = from; x < to; x++) {
        run = ink.columns[x] ? 0 : run + 1;
        if (run > best) best = run;
      }
      if (best >= minGap) out += ' ';
    }
    out += b;
  }
  return tidyAmounts(tidySpaces(out));
}

/**
 * Amounts with cents that no convention writes: a group separator read as a point
 * ("14.440.00" is "14,440.00": a comma's tail is a pixel at 10 pt) and an 'S' for the dollar
 * sign in front of one.
 */
export function tidyAmounts(text: string): string {
  return text.replace(/\bS(?=\d{1,3}(?:[.,]\d{3})*[.,]\d{2}\b)/g, '$$').replace(/(\d)\.(?=\d{3}(?:[.,]\d{3})*\.\d{2}\b)/g, '$1,');
}

/**
 * Spaces that English type never sets, which a '1' or a comma's bearings make look like word
 * gaps: before closing punctuation, and inside an amount (after a decimal point, or after a
 * thousands comma that three digits follow, after a dollar sign). "June 24, 2020" keeps its space.
 */
export function tidySpaces(text: string): string {
  return text
    .replace(/(\S) +(?=[,.:;%)])/g, '$1')
    .replace(/(\d\.) +(?=\d)/g, '$1')
    .replace(/(\d,) +(?=\d{3}(?!\d))/g, '$1')
    .replace(/\$ +(?=\d)/g, '$$');
}
