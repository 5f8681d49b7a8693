/**
 * Glyph metrics (1/1000 em) for ASCII 32..126 of the two fonts the tutorial's invoices use.
 * Read from Liberation Sans / Liberation Serif, which are metric-compatible with Helvetica and
 * Times-Roman: advance widths, and each glyph's top (yMax) and bottom (yMin) relative to the baseline.
 * The ink's left and right ends (xMin, xMax) come from URW's Nimbus Sans / Nimbus Roman, the
 * fonts MuPDF draws the base-14 Helvetica and Times-Roman with: a label runs from the pen to the
 * advance, so the ink's ends are placed on it by these bearings ('1' leaves 0.2 em on its right).
 */
export interface FontMetrics {
  family: string;
  widths: readonly number[];
  yMax: readonly number[];
  yMin: readonly number[];
  xMin: readonly number[];
  xMax: readonly number[];
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
  xMin: [
    0, 124, 52, 14, 39, 29, 52, 48, 73, 38, 40, 50, 87, 46, 87, -8, 43, 102, 34, 32, 28, 35, 43, 46, 37, 38, 110, 110, 45, 50, 50, 77, 34, 17, 79, 48, 89, 90,
    90, 44, 83, 100, 17, 79, 80, 75, 76, 38, 91, 38, 93, 48, 21, 85, 30, 22, 22, 13, 28, 64, -8, 23, 44, -22, 22, 42, 54, 31, 26, 40, 18, 35, 70, 66, -18, 58,
    68, 70, 70, 36, 54, 26, 69, 34, 14, 65, 10, 6, 17, 20, 31, 43, 100, 29, 75,
  ],
  xMax: [
    0, 208, 305, 542, 525, 859, 637, 142, 291, 256, 343, 534, 192, 284, 191, 284, 507, 347, 511, 506, 520, 513, 513, 520, 513, 509, 214, 215, 534, 534, 539,
    509, 951, 653, 623, 677, 667, 613, 579, 709, 644, 194, 426, 658, 533, 761, 646, 742, 617, 742, 679, 621, 593, 645, 645, 929, 649, 661, 583, 250, 284, 209,
    425, 578, 231, 535, 523, 477, 495, 513, 258, 481, 486, 150, 153, 502, 152, 762, 487, 510, 523, 495, 321, 459, 254, 482, 486, 708, 473, 478, 457, 276, 160,
    262, 508,
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
  xMin: [
    0, 130, 77, 5, 44, 61, 42, 48, 48, 29, 69, 30, 56, 39, 70, -9, 24, 111, 30, 43, 12, 32, 34, 20, 56, 30, 81, 80, 76, 30, 76, 68, 116, 15, 17, 28, 16, 12, 12,
    32, 19, 18, 10, 34, 12, 12, 12, 34, 16, 34, 17, 42, 17, 14, 16, 5, 10, 22, 9, 88, -9, 34, 25, 2, 19, 37, 3, 25, 27, 25, 20, 28, 9, 16, -70, 7, 19, 16, 16,
    29, 5, 24, 5, 51, 13, 9, 19, 21, 17, 14, 27, 100, 67, 130, 42,
  ],
  xMax: [
    0, 238, 331, 496, 457, 772, 750, 133, 304, 285, 432, 534, 195, 285, 181, 287, 476, 394, 475, 431, 472, 438, 468, 449, 445, 459, 192, 219, 488, 534, 488,
    414, 809, 706, 593, 633, 685, 597, 546, 709, 702, 315, 370, 723, 598, 863, 707, 688, 542, 701, 659, 491, 593, 705, 697, 932, 704, 703, 597, 299, 287, 245,
    444, 499, 242, 442, 468, 412, 491, 424, 383, 470, 487, 253, 194, 505, 257, 775, 485, 470, 470, 488, 335, 348, 279, 479, 477, 694, 479, 475, 418, 350, 133,
    380, 501,
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

/**
 * Blank space (em) between the pen and the first glyph's ink, and between the last glyph's ink and
 * the end of the advance; surrounding spaces are not drawn ink, so they count as bearing.
 */
export function sideBearingsEm(f: FontMetrics, text: string): { left: number; right: number } {
  const chars = [...text];
  const first = chars.findIndex((c) => c !== ' ');
  if (first < 0) return { left: 0, right: 0 };
  let last = chars.length - 1;
  while (chars[last] === ' ') last--;
  const bearing = (c: string, side: 'left' | 'right'): number => {
    const g = glyph(f, c);
    if (g < 0) return 0.05 * f.defaultWidth;
    return side === 'left' ? f.xMin[g]! : f.widths[g]! - f.xMax[g]!;
  };
  return {
    left: (advanceEm(f, chars.slice(0, first).join('')) * 1000 + bearing(chars[first]!, 'left')) / 1000,
    right: (advanceEm(f, chars.slice(last + 1).join('')) * 1000 + bearing(chars[last]!, 'right')) / 1000,
  };
}
