import { describe, expect, it } from 'vitest';
import { editDistance, fontReward, iou, scoreResponse, sectionReward, textReward, TUTORIAL_WEIGHTS } from '../src/ocrReward.js';
import type { OcrLabel } from '../src/invoiceGenerator.js';

const label = (text: string, position: [number, number, number, number], size = 12, family: 'Helvetica' | 'Times-Roman' = 'Helvetica'): OcrLabel => ({
  text,
  position,
  font: { family, size },
});

describe('edit distance and text reward', () => {
  it('counts Levenshtein edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance('naïve', 'naive')).toBe(1);
  });
  it('normalises by the longer string and gives 0 for a missing text', () => {
    expect(textReward('Invoice', 'Invoice')).toBe(1);
    expect(textReward('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 12);
    expect(textReward('Total', '')).toBe(0);
    expect(textReward('Total', undefined)).toBe(0);
  });
});

describe('IoU with the +1 pixel convention', () => {
  it('is 1 for identical boxes and uses inclusive pixel areas', () => {
    expect(iou([0, 0, 9, 9], [0, 0, 9, 9])).toBe(1);
    // 10x10 and 10x10 overlapping on 5x10: 50 / (100 + 100 - 50)
    expect(iou([0, 0, 9, 9], [5, 0, 14, 9])).toBeCloseTo(50 / 150, 12);
  });
  it('counts touching boxes as one pixel column of overlap, disjoint as 0', () => {
    expect(iou([0, 0, 9, 9], [9, 0, 18, 9])).toBeCloseTo(10 / 190, 12);
    expect(iou([0, 0, 9, 9], [20, 20, 29, 29])).toBe(0);
    expect(iou([0, 0, 9, 9], undefined)).toBe(0);
  });
  it('stays within [0, 1] for inverted boxes', () => {
    const v = iou([0, 0, 9, 9], [9, 9, 0, 0]);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  });
});

describe('font reward', () => {
  it('averages size closeness and family match', () => {
    expect(fontReward({ family: 'Helvetica', size: 12 }, { family: 'Helvetica', size: 12 })).toBe(1);
    expect(fontReward({ family: 'Helvetica', size: 12 }, { family: 'Times-Roman', size: 12 })).toBe(0.5);
    expect(fontReward({ family: 'Helvetica', size: 12 }, { family: 'Helvetica', size: 10 })).toBeCloseTo((1 - 2 / 12 + 1) / 2, 12);
    expect(fontReward({ family: 'Times-Roman', size: 10 }, { family: 'Helvetica', size: 11 })).toBeCloseTo((1 - 1 / 11) / 2, 12);
    expect(fontReward({ family: 'Helvetica', size: 12 }, undefined)).toBe(0);
  });
});

describe('section and page score', () => {
  const labels = [label('Invoice #: INV000042', [400, 47.4, 505, 59.4]), label('Total: $1,200.00', [400, 300, 490, 312])];

  it('weights text, position and font equally', () => {
    const s = sectionReward(labels[0]!, { text: 'Invoice #: INV000042', position: [400, 47.4, 505, 59.4], font: { family: 'Times-Roman', size: 12 } });
    expect(s.text).toBe(1);
    expect(s.position).toBe(1);
    expect(s.font).toBe(0.5);
    expect(s.total).toBeCloseTo(2.5 / 3, 12);
  });

  it('total = 0.8 * mean(section) + 0.2 * max(1 - t/5, 0), and a perfect answer in 1 s gives 0.96', () => {
    const perfect = labels.map((l) => ({ ...l }));
    const s = scoreResponse(labels, perfect, 1);
    expect(s.prediction).toBe(1);
    expect(s.timeReward).toBeCloseTo(0.8, 12);
    expect(s.total).toBeCloseTo(0.8 + 0.2 * 0.8, 12);
    expect(scoreResponse(labels, perfect, 7).total).toBeCloseTo(0.8, 12);
  });

  it('matches regardless of order and ignores extra predictions like the tutorial', () => {
    const shuffled = [{ ...labels[1]! }, { text: 'noise', position: [0, 0, 5, 5] }, { ...labels[0]! }];
    const s = scoreResponse(labels, shuffled, 0);
    expect(s.prediction).toBe(1);
    expect(s.matched).toBe(2);
    const strict = scoreResponse(labels, shuffled, 0, { ...TUTORIAL_WEIGHTS, penalizeExtraPredictions: true });
    expect(strict.prediction).toBeCloseTo(2 / 3, 12);
  });

  it('scores unmatched labels as zero sections and reports component means', () => {
    const s = scoreResponse(labels, [{ ...labels[0]!, font: { family: 'Helvetica', size: 12 } }], 0);
    expect(s.prediction).toBeCloseTo(0.5, 12);
    expect(s.text).toBeCloseTo(0.5, 12);
    expect(s.position).toBeCloseTo(0.5, 12);
    expect(s.font).toBeCloseTo(0.5, 12);
    expect(s.matched).toBe(1);
  });

  it('gives 0 in total for a missing or malformed response, and tolerates junk items', () => {
    expect(scoreResponse(labels, undefined, 0).total).toBe(0);
    expect(scoreResponse(labels, 'text', 0).total).toBe(0);
    const junk = scoreResponse(labels, [null, 3, { position: ['a'], text: 5, font: 'x' }], 0);
    expect(junk.prediction).toBe(0);
    expect(junk.total).toBeCloseTo(0.2, 12);
  });
});
