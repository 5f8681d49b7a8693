import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InvoiceGenerator, labelFor, layoutInvoice, pageSvg, renderGrey, PAGE_HEIGHT, PAGE_WIDTH, type FontFamily } from '../src/invoiceGenerator.js';
import { invoiceContent } from '../src/invoiceContent.js';
import { createRng } from '../src/prng.js';

const gen = new InvoiceGenerator();

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function inkBox(data: Buffer, width: number, height: number, threshold = 128): Box | undefined {
  let b: Box | undefined;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((data[y * width + x] ?? 255) >= threshold) continue;
      b = b ? { x0: Math.min(b.x0, x), y0: Math.min(b.y0, y), x1: Math.max(b.x1, x), y1: Math.max(b.y1, y) } : { x0: x, y0: y, x1: x, y1: y };
    }
  }
  return b;
}

describe('invoice content and layout', () => {
  it('has 8-18 line items (4 labels each) plus 17 header, table-head, total and terms lines', () => {
    const counts = new Set<number>();
    for (let s = 0; s < 200; s++) {
      const c = invoiceContent(createRng(`layout:${s}`));
      expect(c.items.length).toBeGreaterThanOrEqual(8);
      expect(c.items.length).toBeLessThanOrEqual(18);
      expect(layoutInvoice(c)).toHaveLength(17 + 4 * c.items.length);
      counts.add(c.items.length);
    }
    expect(counts.size).toBeGreaterThan(5);
  });
});

describe('invoice generator', () => {
  it('is deterministic per seed and differs between seeds', async () => {
    const a = await gen.generate('seed-a');
    const b = await gen.generate('seed-a');
    const c = await gen.generate('seed-b');
    expect(b.base64Image).toBe(a.base64Image);
    expect(b.labels).toEqual(a.labels);
    expect(c.base64Image).not.toBe(a.base64Image);
  });

  it('makes a 612x792 RGB JPEG whose labels lie inside the page with the page font', async () => {
    for (const seed of ['p1', 'p2', 'p3']) {
      const p = await gen.generate(seed);
      const meta = await sharp(Buffer.from(p.base64Image, 'base64')).metadata();
      expect(meta.format).toBe('jpeg');
      expect([meta.width, meta.height, meta.channels]).toEqual([PAGE_WIDTH, PAGE_HEIGHT, 3]);
      expect([10, 11, 12]).toContain(p.size);
      expect(['Helvetica', 'Times-Roman']).toContain(p.family);
      for (const l of p.labels) {
        const [x0, y0, x1, y1] = l.position;
        expect(x0).toBeGreaterThanOrEqual(0);
        expect(y0).toBeGreaterThanOrEqual(0);
        expect(x1).toBeLessThanOrEqual(PAGE_WIDTH);
        expect(y1).toBeLessThanOrEqual(PAGE_HEIGHT);
        expect(x1).toBeGreaterThan(x0);
        expect(y1 - y0).toBeCloseTo(p.size, 6);
        expect(l.font).toEqual({ family: p.family, size: p.size });
      }
    }
  });

  it('measures advance widths from the TTF like Helvetica and Times AFM widths', async () => {
    const sans = await gen.fontMetrics('Helvetica');
    const serif = await gen.fontMetrics('Times-Roman');
    // Adobe AFM: Helvetica H 722 e 556 l 222 o 556; Times-Roman H 722 e 444 l 278 o 500 (per 1000 em).
    expect(sans.advanceWidth('Hello', 12)).toBeCloseTo((722 + 556 + 222 + 222 + 556) * 0.012, 1);
    expect(serif.advanceWidth('Hello', 12)).toBeCloseTo((722 + 444 + 278 + 278 + 500) * 0.012, 1);
    expect(sans.advanceWidth('', 12)).toBe(0);
  });

  for (const family of ['Helvetica', 'Times-Roman'] as FontFamily[]) {
    it(`puts the ${family} label box on the rendered ink of a line (pen start, advance, baseline rules)`, async () => {
      const size = 12;
      const line = { x: 40, baseline: 100, text: 'Invoice #: INV004711 HELLO' };
      const { data, width, height } = await renderGrey(pageSvg([line], family, size, 0));
      const ink = inkBox(data, width, height)!;
      const label = labelFor(line, family, size, await gen.fontMetrics(family), 0);
      const [x0, y0, x1, y1] = label.position;
      expect(x0).toBe(line.x);
      expect(y0).toBeCloseTo(line.baseline - 0.8 * size, 6);
      expect(y1).toBeCloseTo(line.baseline + 0.2 * size, 6);
      // The box contains the ink; the ink starts at the pen and ends near the advance width.
      expect(ink.x0).toBeGreaterThanOrEqual(x0 - 0.5);
      expect(ink.x0 - x0).toBeLessThan(2);
      expect(ink.x1).toBeLessThanOrEqual(x1 + 0.5);
      expect(x1 - ink.x1).toBeLessThan(3);
      expect(ink.y0).toBeGreaterThanOrEqual(y0);
      // No descenders: the ink sits on the baseline.
      expect(Math.abs(ink.y1 + 1 - line.baseline)).toBeLessThanOrEqual(1);
    });
  }

  it('keeps descenders inside the 0.2 size band below the baseline', async () => {
    const size = 12;
    const line = { x: 40, baseline: 100, text: 'Shipping (qty) gpy' };
    const { data, width, height } = await renderGrey(pageSvg([line], 'Helvetica', size, 0));
    const ink = inkBox(data, width, height)!;
    expect(ink.y1).toBeLessThanOrEqual(line.baseline + 0.2 * size + 1);
  });

  it('has ink inside every label box of a clean page', async () => {
    const clean = new InvoiceGenerator({ corrupt: false });
    const p = await clean.generate('ink-check');
    const { data, info } = await sharp(Buffer.from(p.base64Image, 'base64')).greyscale().raw().toBuffer({ resolveWithObject: true });
    for (const l of p.labels) {
      const [x0, y0, x1, y1] = l.position.map(Math.round) as [number, number, number, number];
      let dark = 0;
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if ((data[y * info.width + x] ?? 255) < 128) dark++;
      expect(dark, l.text).toBeGreaterThan(3);
    }
  });
});

describe('font metrics', () => {
  it('falls back to the .notdef advance for unmapped code points and counts astral characters once', async () => {
    const m = await gen.fontMetrics('Helvetica');
    const notdef = m.glyphAdvance(0x10ffff);
    expect(notdef).toBeGreaterThan(0);
    expect(m.advanceWidth('\u{1F600}', m.unitsPerEm)).toBe(m.glyphAdvance(0x1f600));
    expect(m.glyphAdvance('A'.codePointAt(0)!)).toBe(1366);
  });
});
