/**
 * Font family from glyph shapes, across renderers: the same lines drawn by reportlab + PyMuPDF
 * (the tutorial's pipeline), by Pillow/FreeType with URW's Nimbus look-alikes, and by sharp with
 * Liberation fonts get the family they were drawn in, line by line, on a one-family page and on
 * a page that mixes families line by line.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { findInk } from '../../../../src/inference/ocr/fontEstimate.js';
import { serifLogit } from '../../../../src/inference/ocr/fontFamily.js';
import type { RgbImage } from '../../../../src/inference/ocr/imageDecode.js';
import { lineFamilies, type ReadLine } from '../../../../src/inference/ocr/pageLayout.js';
import { renderPage, type Label } from '../../../fixtures/ocr/invoicePage.js';

const FIX = new URL('../../../fixtures/ocr/', import.meta.url);
const PAGE_H = 792;

async function decode(jpeg: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function load(dir: string, name: string): { jpeg: Buffer; labels: Label[] } {
  return {
    jpeg: readFileSync(new URL(`${dir}/${name}.jpg`, FIX)),
    labels: JSON.parse(readFileSync(new URL(`${dir}/${name}.json`, FIX), 'utf8')) as Label[],
  };
}

/** Families the layout gives each labelled line, found from the ink around the label's box. */
function families(img: RgbImage, labels: Label[]): string[] {
  const lines: ReadLine[] = labels.map((l) => {
    const [x0, y0, x1, y1] = l.position;
    const rect = { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, ux: 1, uy: 0, width: x1 - x0, height: (y1 - y0) * 0.8 };
    const ink = findInk(img, rect);
    return { box: { rect, score: 1 }, text: l.text, ink, guesses: [], serif: ink ? serifLogit(img, ink) : 0 };
  });
  return lineFamilies(lines).map((f) => f.family);
}

/** The same lines drawn by sharp with Liberation fonts in one family (the sections back in points). */
async function sharpRendering(
  labels: Label[],
  width: number,
  height: number,
  family: 'Helvetica' | 'Times-Roman',
): Promise<{ img: RgbImage; labels: Label[] }> {
  const sections: [number, number, string][] = labels.map((l) => [
    (l.position[0] * 612) / width,
    PAGE_H - (l.position[3] * PAGE_H) / height + 0.2 * l.font.size,
    l.text,
  ]);
  const page = await renderPage(sections, 5, { family, size: 11 });
  return { img: await decode(Buffer.from(page.base64, 'base64')), labels: page.labels };
}

const agreement = (got: string[], want: string[]): number => got.filter((g, i) => g === want[i]).length / want.length;

describe('font family from glyph shapes', () => {
  it('gives a Helvetica page the same family whichever renderer drew it', async () => {
    const rl = load('tutorial', 'tutorial-00');
    const urw = load('tutorial-urw', 'tutorial-00');
    expect(rl.labels.every((l) => l.font.family === 'Helvetica')).toBe(true);
    const rlImg = await decode(rl.jpeg);
    expect(
      agreement(
        families(rlImg, rl.labels),
        rl.labels.map(() => 'Helvetica'),
      ),
    ).toBeGreaterThanOrEqual(0.95);
    expect(
      agreement(
        families(await decode(urw.jpeg), urw.labels),
        urw.labels.map(() => 'Helvetica'),
      ),
    ).toBeGreaterThanOrEqual(0.95);
    for (const family of ['Helvetica', 'Times-Roman'] as const) {
      const s = await sharpRendering(rl.labels, rlImg.width, rlImg.height, family);
      expect(
        agreement(
          families(s.img, s.labels),
          s.labels.map(() => family),
        ),
      ).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('reads a page that mixes families line by line', async () => {
    for (const dir of ['tutorial', 'tutorial-urw']) {
      const page = load(dir, 'mixed-00');
      const want = page.labels.map((l) => l.font.family);
      expect(new Set(want).size).toBe(2);
      expect(agreement(families(await decode(page.jpeg), page.labels), want)).toBeGreaterThanOrEqual(0.9);
    }
  });
});
