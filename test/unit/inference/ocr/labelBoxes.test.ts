/**
 * From a line's ink to the tutorial's label box: the box runs from the pen to the pen plus the
 * advance width, so the ink's ends must be moved out by the first and last glyph's own bearings;
 * and a line drawn at a size of its own (a header on a page of body text) keeps that size.
 * The ink here is what an exact rendering of the glyph outlines gives, on a 612 x 792 page
 * (one pixel per point, no tutorial frame).
 */
import { describe, expect, it } from 'vitest';
import { guessFonts, labelBox, tidyAmounts, tidySpaces, type InkBox } from '../../../../src/inference/ocr/fontEstimate.js';
import { advanceEm, HELVETICA, inkExtentEm, sideBearingsEm, TIMES_ROMAN, type FontMetrics } from '../../../../src/inference/ocr/fontMetrics.js';
import { layoutLines, type ReadLine } from '../../../../src/inference/ocr/pageLayout.js';

/** The ink of `text` drawn with its pen at (x, baseline) at `size` px. */
function inkOf(font: FontMetrics, text: string, x: number, baseline: number, size: number): InkBox {
  const b = sideBearingsEm(font, text);
  const ext = inkExtentEm(font, text);
  const left = x + b.left * size,
    right = x + (advanceEm(font, text) - b.right) * size;
  return { left, right, top: baseline - ext.top * size, bottom: baseline - ext.bottom * size, columns: new Uint8Array(Math.ceil(right - left)).fill(1) };
}

/** The tutorial's label: pen to pen + advance, baseline - 0.8 size to baseline + 0.2 size. */
function label(font: FontMetrics, text: string, x: number, baseline: number, size: number): number[] {
  return [x, baseline - 0.8 * size, x + advanceEm(font, text) * size, baseline + 0.2 * size];
}

function readLine(text: string, x: number, baseline: number, size: number): ReadLine {
  const ink = inkOf(HELVETICA, text, x, baseline, size);
  const rect = { cx: (ink.left + ink.right) / 2, cy: (ink.top + ink.bottom) / 2, ux: 1, uy: 0, width: ink.right - ink.left, height: ink.bottom - ink.top };
  return { box: { rect, score: 1 }, text, ink, guesses: guessFonts(ink, text), serif: -3 };
}

const expectBox = (got: readonly number[], want: number[], px: number) => got.forEach((v, k) => expect(Math.abs(v - want[k]!)).toBeLessThan(px));

describe('label boxes from ink', () => {
  it("places a lone '1' (a fifth of an em blank on its right) from pen to advance", () => {
    const ink = inkOf(HELVETICA, '1', 300, 200, 10);
    expectBox(labelBox(ink, '1', HELVETICA, 10), label(HELVETICA, '1', 300, 200, 10), 0.1);
  });

  it("places a Times '1' whose hairline foot the ink threshold lost from pen to advance", () => {
    const ink = inkOf(TIMES_ROMAN, '1', 300, 200, 12);
    ink.left += 0.4;
    ink.right -= 1.2;
    expectBox(labelBox(ink, '1', TIMES_ROMAN, 12), label(TIMES_ROMAN, '1', 300, 200, 12), 0.5);
  });

  it('places lines starting and ending with wide and narrow bearings', () => {
    for (const text of ['$1,200.00', 'Total: 11', 'Web hosting', 'INVOICE']) {
      const ink = inkOf(HELVETICA, text, 40, 120, 12);
      expectBox(labelBox(ink, text, HELVETICA, 12), label(HELVETICA, text, 40, 120, 12), 0.1);
    }
  });

  it('keeps the size of a header and a total drawn larger than the body of the page', () => {
    const body = ['Web hosting', 'Domain registration', 'Consulting', 'Maintenance', 'Graphic design', 'Analytics'];
    const lines = body.map((t, i) => readLine(t, 40, 200 + 16 * i, 10));
    lines.unshift(readLine('Acme Widgets Inc', 40, 60, 16));
    lines.push(readLine('Total due: $4,350.00', 400, 340, 12));
    const laid = layoutLines(lines, 612, 792, true);
    expect(laid.map((l) => l.font.size)).toEqual([16, 10, 10, 10, 10, 10, 10, 12]);
    expectBox(laid[0]!.position, label(HELVETICA, 'Acme Widgets Inc', 40, 60, 16), 0.3);
    expectBox(laid[7]!.position, label(HELVETICA, 'Total due: $4,350.00', 400, 340, 12), 0.3);
  });

  it('gives each line its own size on a page of mixed sizes', () => {
    const sizes = [9, 11, 12, 13, 14, 15, 16, 10];
    const lines = sizes.map((s, i) => readLine(`${i + 1} x Web development`, 40, 80 + 30 * i, s));
    expect(layoutLines(lines, 612, 792, true).map((l) => l.font.size)).toEqual(sizes);
  });
});

describe('ink merged with noise', () => {
  it('sizes and places a line by its detection box when its ink is far taller than the box says', () => {
    const sizes = [9, 11, 14, 13, 16, 10];
    const lines = sizes.map((s, i) => readLine(`${i + 1} x Web development`, 40, 80 + 30 * i, s));
    const merged = readLine('7 x Web development', 40, 300, 12);
    merged.ink = { ...merged.ink!, top: merged.ink!.top - 14 };
    merged.guesses = guessFonts(merged.ink, merged.text);
    lines.push(merged);
    const laid = layoutLines(lines, 612, 792, true);
    expect(laid.map((l) => l.font.size)).toEqual([...sizes, 12]);
    expectBox(laid[6]!.position, label(HELVETICA, '7 x Web development', 40, 300, 12), 0.3);
  });
});

describe('columns in the tutorial frame', () => {
  it('puts a line whose first glyph lost its hairline back on its column, past a line of another size', () => {
    const texts = ['Web hosting', 'Domain registration', 'Training', 'Consulting', 'Maintenance'];
    const lines = texts.map((t, i) => readLine(t, 31, 200 + 16 * i, 10.31));
    lines.splice(2, 0, readLine('Bill To: Amanda Brooks', 32, 180, 14.4));
    const late = lines[3]!;
    late.ink!.left += 2.6;
    late.ink!.right += 2.6;
    const laid = layoutLines(lines, 631, 815, true);
    const column = laid.filter((l) => l.font.size === 10).map((l) => l.position[0]);
    expect(Math.max(...column) - Math.min(...column)).toBeLessThan(0.11);
    const t = laid.find((l) => l.text === 'Training')!;
    // The label's width is the advance at 10 pt in label pixels (631 / 612 per point), scaled once.
    expect(t.position[2] - t.position[0]).toBeCloseTo(advanceEm(HELVETICA, 'Training') * 10 * (631 / 612), 1);
  });
});

describe('spaces inside amounts', () => {
  it("drops the spaces a digit's bearings fake inside amounts and before punctuation, keeps real ones", () => {
    expect(tidySpaces('1 ,200. 00')).toBe('1,200.00');
    expect(tidySpaces('$10 .00')).toBe('$10.00');
    expect(tidySpaces('Total: $ 18,132.00')).toBe('Total: $18,132.00');
    expect(tidySpaces('a fee of 1 .5% per month .')).toBe('a fee of 1.5% per month.');
    expect(tidySpaces('Invoice Date: June 24, 2020')).toBe('Invoice Date: June 24, 2020');
    expect(tidySpaces('Springfield, 62704')).toBe('Springfield, 62704');
  });

  it('restores the group commas and dollar sign of amounts with cents, and nothing else', () => {
    expect(tidyAmounts('Total due: S9.242.00')).toBe('Total due: $9,242.00');
    expect(tidyAmounts('$1.234.567.89')).toBe('$1,234,567.89');
    expect(tidyAmounts('$14,440.00 and 1.5% per month')).toBe('$14,440.00 and 1.5% per month');
    expect(tidyAmounts('S12 units, SSL, v1.234.56x')).toBe('S12 units, SSL, v1.234.56x');
  });
});
