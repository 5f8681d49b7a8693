/**
 * Glyph metrics (1/1000 em) for ASCII 32..126 of the two fonts the tutorial's invoices use.
 * Read from Liberation Sans / Liberation Serif, which are metric-compatible with Helvetica and
 * Times-Roman: advance widths, and each glyph's top (yMax) and bottom (yMin) relative to the baseline.
 */
export interface FontMetrics {
  family: string;
  widths: readonly number[];
  yMax: readonly number[];
  yMin: readonly number[];
  /** Fallbacks for characters outside the table. */
  defaultWidth: number;
  capHeight: number;
}

export const HELVETICA: FontMetrics = {
  family: 'Helvetica',
  defaultWidth: 556,
  capHeight: 688,
  widths: [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
    556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278,
    469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260,
    334, 584,
  ],
  yMax: [
    0, 688, 688, 684, 740, 694, 692, 688, 725, 725, 688, 577, 107, 305, 107, 725, 698, 688, 698, 698, 688, 688, 698, 688, 698, 698, 528, 528, 583, 490, 583,
    698, 725, 688, 688, 698, 688, 688, 688, 698, 688, 688, 688, 688, 688, 688, 688, 698, 688, 698, 688, 698, 688, 688, 688, 688, 688, 688, 688, 725, 725, 725,
    688, -135, 736, 538, 725, 538, 725, 538, 724, 537, 725, 725, 725, 725, 725, 538, 538, 538, 538, 538, 538, 537, 646, 528, 528, 528, 528, 528, 528, 725, 725,
    725, 394,
  ],
  yMin: [
    0, 0, 472, 0, -69, -6, -10, 472, -207, -207, 337, 88, -128, 227, 0, -10, -10, 0, 0, -10, 0, -10, -10, 0, -10, -10, 0, -128, 75, 168, 75, 0, -138, 0, 0, -10,
    0, 0, 0, -10, 0, 0, -10, 0, 0, 0, 0, -10, 0, -189, 0, -10, 0, -10, 0, 0, 0, 0, 0, -208, -10, -208, 329, -199, 586, -10, -10, -10, -10, -10, 0, -208, 0, 0,
    -208, 0, 0, 0, 0, -10, -208, -208, 0, -10, -8, -10, 0, 0, 0, -208, 0, -208, -212, -208, 270,
  ],
};

export const TIMES_ROMAN: FontMetrics = {
  family: 'Times-Roman',
  defaultWidth: 500,
  capHeight: 655,
  widths: [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564,
    444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333,
    469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200,
    480, 541,
  ],
  yMax: [
    0, 655, 655, 655, 724, 665, 665, 655, 694, 694, 655, 565, 103, 273, 104, 659, 665, 660, 662, 662, 658, 655, 662, 655, 665, 662, 469, 469, 573, 457, 573,
    662, 666, 660, 655, 662, 655, 655, 655, 662, 655, 655, 655, 655, 655, 655, 655, 662, 655, 662, 655, 662, 655, 655, 655, 655, 655, 655, 655, 694, 659, 694,
    655, -79, 695, 469, 694, 471, 694, 471, 704, 513, 694, 662, 662, 694, 694, 471, 471, 471, 471, 481, 471, 471, 563, 459, 459, 459, 459, 459, 459, 694, 694,
    694, 413,
  ],
  yMin: [
    0, -14, 420, 0, -76, -13, -10, 420, -213, -213, 288, 99, -154, 198, -14, -10, -10, 0, 0, -10, 0, -10, -10, 0, -10, -10, -14, -154, 91, 207, 91, -14, -190,
    0, -3, -10, -2, 0, 0, -10, 0, 0, -10, 0, 0, 0, 0, -10, 0, -162, 0, -10, 0, -10, -15, -15, 0, 0, 0, -134, -10, -134, 190, -129, 546, -10, -10, -10, -10, -10,
    0, -216, 0, 0, -213, 0, 0, 0, 0, -10, -213, -213, 0, -10, -10, -10, -10, -10, 0, -216, 0, -134, -216, -134, 245,
  ],
};

export const FONTS: readonly FontMetrics[] = [HELVETICA, TIMES_ROMAN];

function glyph(_f: FontMetrics, ch: string): number {
  const c = ch.charCodeAt(0);
  return c >= 32 && c <= 126 ? c - 32 : -1;
}

/** Advance width of a string in em. */
export function advanceEm(f: FontMetrics, text: string): number {
  let w = 0;
  for (const ch of text) {
    const g = glyph(f, ch);
    w += g >= 0 ? f.widths[g]! : f.defaultWidth;
  }
  return w / 1000;
}

/** Highest and lowest ink of a string relative to the baseline, in em (bottom negative). */
export function inkExtentEm(f: FontMetrics, text: string): { top: number; bottom: number } {
  let top = 0,
    bottom = 0;
  for (const ch of text) {
    if (ch === ' ') continue;
    const g = glyph(f, ch);
    top = Math.max(top, g >= 0 ? f.yMax[g]! : f.capHeight);
    bottom = Math.min(bottom, g >= 0 ? f.yMin[g]! : 0);
  }
  return { top: (top || f.capHeight) / 1000, bottom: bottom / 1000 };
}
