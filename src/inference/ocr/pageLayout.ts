import type { DetectedBox } from './detection.js';
import { labelBox, type FontGuess, type InkBox } from './fontEstimate.js';
import { advanceEm, type FontMetrics } from './fontMetrics.js';

export interface ReadLine {
  box: DetectedBox;
  text: string;
  ink: InkBox | undefined;
  guesses: FontGuess[];
}

export interface LaidOutLine {
  position: [number, number, number, number];
  text: string;
  font: { family: string; size: number };
}

/** Ink width is the advance minus the first and last side bearings, about this many em. */
const BEARINGS_EM = 0.08;
const US_LETTER_WIDTH_PT = 612;
const US_LETTER_ASPECT = 612 / 792;

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const letters = (t: string): number => t.replace(/ /g, '').length;

/** Pixels per point: a US-letter page is taken as drawn edge to edge, anything else at 1 px/pt. */
export function pixelsPerPoint(width: number, height: number): number {
  return Math.abs(width / height - US_LETTER_ASPECT) < 0.03 ? width / US_LETTER_WIDTH_PT : 1;
}

/**
 * The page's family: the one whose metrics best explain the lines' widths given their heights,
 * pooled by the median signed error (noise at 10 px cancels). Its size comes from line widths
 * (a 1 px error over 100 px is 1 %, over an 8 px height it is 12 %), snapped to whole points.
 */
export function dominantFont(lines: ReadLine[], pxPerPt: number): { font: FontMetrics; sizePx: number } | undefined {
  const usable = lines.filter((l) => letters(l.text) >= 4 && l.ink && l.guesses.length > 0);
  if (usable.length === 0) return undefined;
  const fit = usable[0]!.guesses.map((g) => g.font).map((font) => ({
    font, error: Math.abs(median(usable.map((l) => l.guesses.find((g) => g.font === font)!.widthLog))),
  })).sort((a, b) => a.error - b.error);
  const font = fit[0]!.font;
  const long = usable.filter((l) => letters(l.text) >= 6);
  const sizes = long.length >= 3
    ? long.map((l) => (l.ink!.right - l.ink!.left) / Math.max(advanceEm(font, l.text) - BEARINGS_EM, 0.3))
    : usable.map((l) => l.guesses.find((g) => g.font === font)!.sizePx);
  const sizePx = Math.max(1, Math.round(median(sizes) / pxPerPt)) * pxPerPt;
  return { font, sizePx };
}

function axisBox(b: DetectedBox): [number, number, number, number] {
  const r = b.rect;
  return [r.cx - r.width / 2, r.cy - r.height / 2, r.cx + r.width / 2, r.cy + r.height / 2];
}

/**
 * Boxes as the tutorial labels them. Lines whose ink agrees with the page font use it; lines
 * whose ink is off (noise around them) take the page font and are placed from their detection
 * box, shifted by the median offset between detection boxes and label boxes of the good lines.
 */
export function layoutLines(lines: ReadLine[], width: number, height: number, consensus: boolean): LaidOutLine[] {
  const pxPerPt = pixelsPerPoint(width, height);
  const page = consensus ? dominantFont(lines, pxPerPt) : undefined;
  const fits = (l: ReadLine) => page && l.ink && Math.abs(l.guesses.find((g) => g.font === page.font)!.sizePx - page.sizePx) / page.sizePx < 0.25;
  const boxes = lines.map((l) => (page && fits(l) ? labelBox(l.ink!, l.text, page.font, page.sizePx) : undefined));
  const good = lines.flatMap((l, i) => (boxes[i] ? [{ l, b: boxes[i] }] : []));
  const dy = good.length > 0 ? median(good.map(({ l, b }) => b[3] - l.box.rect.cy)) : 0;
  const dx = good.length > 0 ? median(good.map(({ l, b }) => b[0] - (l.box.rect.cx - l.box.rect.width / 2))) : 0;
  return lines.map((l, i) => {
    let font = l.guesses[0]?.font;
    let sizePx = l.guesses[0]?.sizePx ?? l.box.rect.height / 1.5;
    let position = boxes[i] ?? (l.ink && font ? labelBox(l.ink, l.text, font, sizePx) : axisBox(l.box));
    if (page && !boxes[i] && good.length >= 3) {
      font = page.font;
      sizePx = page.sizePx;
      const x0 = l.box.rect.cx - l.box.rect.width / 2 + dx;
      const bottom = l.box.rect.cy + dy;
      position = [x0, bottom - sizePx, x0 + advanceEm(font, l.text) * sizePx, bottom];
    } else if (page && boxes[i]) {
      font = page.font;
      sizePx = page.sizePx;
    }
    return {
      position: position.map((v) => Math.round(v * 10) / 10) as LaidOutLine['position'],
      text: l.text,
      font: { family: font?.family ?? 'Helvetica', size: Math.max(1, Math.round(sizePx / pxPerPt)) },
    };
  });
}
