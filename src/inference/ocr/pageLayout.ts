import type { DetectedBox } from './detection.js';
import { labelBox, type FontGuess, type InkBox } from './fontEstimate.js';
import { isTutorialFrame, labelScale, toLabelFrame, TUTORIAL_ANGLE_RAD } from './tutorialFrame.js';
import { advanceEm, HELVETICA, sideBearingsEm, TIMES_ROMAN, type FontMetrics } from './fontMetrics.js';

export interface ReadLine {
  box: DetectedBox;
  text: string;
  ink: InkBox | undefined;
  guesses: FontGuess[];
  /** Glyph-shape log-odds for Times-Roman over Helvetica (fontFamily.ts); 0 without evidence. */
  serif: number;
}

export interface LaidOutLine {
  position: [number, number, number, number];
  text: string;
  font: { family: string; size: number };
}

const US_LETTER_WIDTH_PT = 612;
const US_LETTER_ASPECT = 612 / 792;

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const letters = (t: string): number => t.replace(/ /g, '').length;

/** Pixels per point: a US-letter page is taken as drawn edge to edge, anything else at 1 px/pt. */
export function pixelsPerPoint(width: number, height: number): number {
  return Math.abs(width / height - US_LETTER_ASPECT) < 0.03 ? width / US_LETTER_WIDTH_PT : 1;
}

/** How much a line's family leans on the page's: enough to carry lines without letters (amounts). */
const PAGE_PULL = 0.8;
const MIXED_PAGE_PULL = 0.2;
const SURE_LOGIT = 2;
const MAX_LOGIT = 4;

/**
 * Each line's family from its glyph shapes (per line: pages may mix families), pulled towards
 * the page's mean evidence so that lines with few letters follow the rest. Lines of 3 or more
 * letters are the reliable evidence; digits alone say little about the family.
 */
export function lineFamilies(lines: ReadLine[]): FontMetrics[] {
  const clamp = (z: number) => Math.max(-MAX_LOGIT, Math.min(MAX_LOGIT, z));
  const weight = (l: ReadLine) => (l.text.replace(/[^A-Za-z]/g, '').length >= 3 ? 1 : 0.3);
  let sum = 0,
    total = 0;
  for (const l of lines)
    if (l.ink) {
      sum += weight(l) * clamp(l.serif);
      total += weight(l);
    }
  const page = total > 0 ? sum / total : 0;
  // Confident lines of both families: the page mixes them, so each line mostly speaks for itself.
  const sure = lines.filter((l) => weight(l) === 1 && Math.abs(l.serif) > SURE_LOGIT);
  const times = sure.filter((l) => l.serif > 0).length,
    fewer = Math.min(times, sure.length - times);
  const pull = fewer >= 2 && fewer >= 0.15 * sure.length ? MIXED_PAGE_PULL : PAGE_PULL;
  return lines.map((l) => (weight(l) * clamp(l.serif) + pull * page > 0 ? TIMES_ROMAN : HELVETICA));
}

/**
 * The page's dominant family (the one most lines have) and its size from the line widths of
 * that family's lines (a 1 px error over 100 px is 1 %, over an 8 px height it is 12 %),
 * snapped to whole points.
 */
export function dominantFont(lines: ReadLine[], families: FontMetrics[], pxPerPt: number): { font: FontMetrics; sizePx: number } | undefined {
  const times = families.filter((f) => f === TIMES_ROMAN).length;
  const font = times * 2 > families.length ? TIMES_ROMAN : HELVETICA;
  const usable = lines.filter((l, i) => families[i] === font && letters(l.text) >= 4 && l.ink && l.guesses.length > 0);
  if (usable.length === 0) return undefined;
  const long = usable.filter((l) => letters(l.text) >= 6);
  const sizes =
    long.length >= 3
      ? long.map((l) => (l.ink!.right - l.ink!.left) / inkWidthEm(font, l.text))
      : usable.map((l) => l.guesses.find((g) => g.font === font)!.sizePx);
  const sizePx = Math.max(1, Math.round(median(sizes) / pxPerPt)) * pxPerPt;
  return { font, sizePx };
}

/** The ink's width in em of a line drawn in `font`: the advance less both side bearings. */
export function inkWidthEm(font: FontMetrics, text: string): number {
  const b = sideBearingsEm(font, text);
  return Math.max(advanceEm(font, text) - b.left - b.right, 0.3);
}

function axisBox(b: DetectedBox): [number, number, number, number] {
  const r = b.rect;
  return [r.cx - r.width / 2, r.cy - r.height / 2, r.cx + r.width / 2, r.cy + r.height / 2];
}

/** How far (log) a line's size from its ink width may stray from the one from its ink height and still be believed. */
const HEIGHT_AGREES = 0.12;
/** A believed size this far (log) from the page's is a line drawn at a size of its own (a header, a total). */
const OWN_SIZE = 0.1;
/** Share of believed sizes at the page's size that makes a page one of a single size. */
const SINGLE_SIZE_SHARE = 0.6;

/**
 * A line's size from its ink width (1 pt moves the width of a ten-letter line by 5 px, its
 * height by under 1 px), believed only when its ink height tells the same (the text read right).
 */
export function widthSize(l: ReadLine, font: FontMetrics): number | undefined {
  const g = l.guesses.find((x) => x.font === font);
  if (!l.ink || !g || letters(l.text) < 3) return undefined;
  const size = (l.ink.right - l.ink.left) / inkWidthEm(font, l.text);
  return Math.abs(Math.log(size / g.sizePx)) < HEIGHT_AGREES ? size : undefined;
}

/**
 * The page's font when most lines are drawn at its size (else each line keeps its own). A believed
 * size is within 3 % of the drawn one, a point is 6-11 %: a line is at the page's size when both
 * round to the same point.
 */
function singleSizeFont(page: ReturnType<typeof dominantFont>, own: (number | undefined)[], pxPerPt: number): ReturnType<typeof dominantFont> {
  const believed = own.filter((s): s is number => s !== undefined);
  if (!page || believed.length === 0) return page;
  const at = believed.filter((s) => Math.round(s / pxPerPt) === Math.round(page.sizePx / pxPerPt)).length;
  return at >= SINGLE_SIZE_SHARE * believed.length ? page : undefined;
}

/** Detection box height, and label bottom below the box's centre, per px of size (from lines of believed size). */
interface DetScale {
  height: number;
  bottom: number;
}

function detectionScale(lines: ReadLine[], own: (number | undefined)[], families: FontMetrics[]): DetScale | undefined {
  const known = lines.flatMap((l, i) => (own[i] !== undefined && l.ink ? [{ l, s: own[i]!, b: labelBox(l.ink, l.text, families[i]!, own[i]!) }] : []));
  if (known.length < 3) return undefined;
  return { height: median(known.map(({ l, s }) => l.box.rect.height / s)), bottom: median(known.map(({ l, s, b }) => (b[3] - l.box.rect.cy) / s)) };
}

/** Ink height this far (log) from what the detection box says is ink merged with noise (the dark spot) or a neighbour. */
const MERGED_INK = 0.25;

/** Such a line is sized and placed vertically by its detection box, as the page's believed lines relate to theirs. */
function byDetection(l: ReadLine, font: FontMetrics, sizePx: number, scale: DetScale | undefined, pxPerPt: number) {
  if (!scale || !l.ink) return undefined;
  const det = l.box.rect.height / scale.height;
  if (Math.abs(Math.log(sizePx / det)) < MERGED_INK) return undefined;
  const size = snap(det, pxPerPt);
  const [x0, , x1] = labelBox(l.ink, l.text, font, size);
  const bottom = l.box.rect.cy + scale.bottom * size;
  return { sizePx: size, position: [x0, bottom - size, x1, bottom] as [number, number, number, number] };
}

/**
 * Boxes as the tutorial labels them. On a page drawn at one size, lines whose ink agrees with
 * the page font use it; the others (ink spoilt by noise) take the page's size and are placed
 * from their detection box, shifted by the median offset between detection boxes and label
 * boxes of the good lines. Lines whose ink clearly says another size (headers, totals), and
 * every line on a page of mixed sizes, keep their own. The family is always the line's own.
 */
export function layoutLines(lines: ReadLine[], width: number, height: number, consensus: boolean): LaidOutLine[] {
  const frame = isTutorialFrame(width, height);
  // Sizes are measured and used on the ink, in the ink's pixels per point.
  const pxPerPt = pixelsPerPoint(width, height) / (frame ? labelScale(width) : 1);
  const families = lineFamilies(lines);
  const own = lines.map((l, i) => widthSize(l, families[i]!));
  const page = singleSizeFont(consensus ? dominantFont(lines, families, pxPerPt) : undefined, own, pxPerPt);
  const guess = (l: ReadLine, i: number) => l.guesses.find((g) => g.font === families[i]);
  const distinct = (i: number) => page !== undefined && own[i] !== undefined && Math.abs(Math.log(own[i]! / page.sizePx)) > OWN_SIZE;
  const fits = (l: ReadLine, i: number) =>
    page && l.ink && !distinct(i) && families[i] === page.font && Math.abs(guess(l, i)!.sizePx - page.sizePx) / page.sizePx < 0.25;
  const boxes = lines.map((l, i) => (page && fits(l, i) ? labelBox(l.ink!, l.text, page.font, page.sizePx) : undefined));
  const good = lines.flatMap((l, i) => (boxes[i] ? [{ l, b: boxes[i] }] : []));
  const dy = good.length > 0 ? median(good.map(({ l, b }) => b[3] - l.box.rect.cy)) : 0;
  const dx = good.length > 0 ? median(good.map(({ l, b }) => b[0] - (l.box.rect.cx - l.box.rect.width / 2))) : 0;
  // Most lines agree with the page font: the few that do not have ink spoilt by noise.
  const uniform = good.length >= 3 && good.length >= 0.6 * lines.length;
  const scale = detectionScale(lines, own, families);
  const laid = lines.map((l, i) => {
    const font = families[i]!;
    const spoilt = page !== undefined && !boxes[i] && uniform && !distinct(i);
    let sizePx = snap(own[i] ?? guess(l, i)?.sizePx ?? l.box.rect.height / 1.5, pxPerPt);
    if (page && (boxes[i] || spoilt)) sizePx = page.sizePx;
    let position = boxes[i] ?? (l.ink ? labelBox(l.ink, l.text, font, sizePx) : axisBox(l.box));
    const merged = !boxes[i] && !spoilt && own[i] === undefined ? byDetection(l, font, sizePx, scale, pxPerPt) : undefined;
    if (merged) ({ sizePx, position } = merged);
    if (spoilt) {
      const x0 = l.box.rect.cx - l.box.rect.width / 2 + dx;
      const bottom = l.box.rect.cy + dy;
      position = [x0, bottom - sizePx, x0 + advanceEm(font, l.text) * sizePx, bottom];
    }
    if (frame) position = toLabelFrame(position, width, height, TUTORIAL_ANGLE_RAD);
    return { position, text: l.text, font: { family: font.family, size: Math.max(1, Math.round(sizePx / pxPerPt)) } };
  });
  // Only in the label frame are the rows level (the ink is turned 0.2 degrees).
  if (frame) {
    alignEdges(laid, 3, ALIGN_PX);
    alignEdges(laid, 0, COLUMN_PX);
  }
  return laid.map((l) => ({ ...l, position: l.position.map((v) => Math.round(v * 10) / 10) as LaidOutLine['position'] }));
}

/** Edges closer than this (px) are taken as one drawn coordinate (a row's baseline, a column's right end). */
const ALIGN_PX = 1.2;
/**
 * Pen starts closer than this (px) are one column's: a glyph whose left end is a hairline (a
 * Times 'T' or 'A') loses it to the ink threshold and starts a line up to 3 px late.
 */
const COLUMN_PX = 3.2;

/**
 * Documents draw rows on one baseline and columns from one x; each line's edge is measured with
 * noise, so edges of lines of one size that nearly agree are set to their median, moving the
 * whole box (a box is its pen start plus its advance, or its baseline plus the size).
 */
function alignEdges(lines: LaidOutLine[], key: 0 | 1 | 2 | 3, tolPx: number): void {
  // One size at a time, so that a line of another size between two of a column does not split it.
  const order = lines.map((_, i) => i).sort((a, b) => lines[a]!.font.size - lines[b]!.font.size || lines[a]!.position[key] - lines[b]!.position[key]);
  const [lo, hi]: [0 | 1, 2 | 3] = key === 0 || key === 2 ? [0, 2] : [1, 3];
  let start = 0;
  for (let k = 1; k <= order.length; k++) {
    const prev = lines[order[k - 1]!]!,
      cur = k < order.length ? lines[order[k]!] : undefined;
    if (cur && cur.position[key] - prev.position[key] < tolPx && cur.font.size === prev.font.size) continue;
    const group = order.slice(start, k).map((i) => lines[i]!);
    start = k;
    if (group.length < 2) continue;
    const target = median(group.map((l) => l.position[key]));
    for (const l of group) {
      const d = target - l.position[key];
      l.position[lo] += d;
      l.position[hi] += d;
    }
  }
}

/** A line's own size, snapped to whole points (the tutorial draws integer sizes). */
function snap(sizePx: number, pxPerPt: number): number {
  return Math.max(1, Math.round(sizePx / pxPerPt)) * pxPerPt;
}
