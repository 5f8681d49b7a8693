import { describe, expect, it } from 'vitest';
import { InvoiceGenerator, type InvoicePage } from '../src/invoiceGenerator.js';
import { scorePages } from '../src/scorePages.js';

class CapturingGenerator extends InvoiceGenerator {
  readonly byImage = new Map<string, InvoicePage>();
  override async generate(seed: string | number, nItems?: number): Promise<InvoicePage> {
    const p = await super.generate(seed, nItems);
    this.byImage.set(p.base64Image, p);
    return p;
  }
}

describe('scorePages', () => {
  it('averages the reward and its components over pages and counts failures', async () => {
    const gen = new CapturingGenerator();
    let call = 0;
    const s = await scorePages(
      { pages: 4, seed: 'sp', concurrency: 2 },
      async (img) => {
        const page = gen.byImage.get(img)!;
        call++;
        if (call === 4) return { status: 503, response: undefined, latencyMs: 10 };
        // Right text and boxes, wrong font family: font = 0.5, section = 2.5 / 3.
        const family = page.family === 'Helvetica' ? 'Times-Roman' : 'Helvetica';
        return { status: 200, response: page.labels.map((l) => ({ ...l, font: { family, size: l.font.size } })), latencyMs: 1_000 };
      },
      gen,
    );
    expect(s.pages).toBe(4);
    expect(s.failures).toBe(1);
    expect(s.meanText).toBeCloseTo(0.75, 6);
    expect(s.meanFont).toBeCloseTo(0.375, 6);
    expect(s.meanPrediction).toBeCloseTo((3 * 2.5) / 3 / 4, 6);
    // Three answered pages in 1 s: 0.8 * 2.5/3 + 0.2 * 0.8; the failed one scores 0.
    expect(s.meanTotal).toBeCloseTo((3 * (0.8 * (2.5 / 3) + 0.2 * 0.8)) / 4, 6);
    expect(s.p50LatencyMs).toBe(1_000);
    expect(s.perPage).toHaveLength(4);
  });

  it('scores a throwing query as a failure instead of aborting the run', async () => {
    const s = await scorePages({ pages: 2, seed: 'throw' }, async () => {
      throw new Error('connection refused');
    });
    expect(s.failures).toBe(2);
    expect(s.meanTotal).toBe(0);
  });
});
