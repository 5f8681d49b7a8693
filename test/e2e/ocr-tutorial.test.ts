/**
 * The real PP-OCRv4 pipeline on pages made by the OCR tutorial's own pipeline (reportlab
 * drawString, PyMuPDF at zoom 1.5, corrupt_image, JPEG; scripts/ocr-corpus.py, committed under
 * test/fixtures/ocr/tutorial), scored with the tutorial's intended reward without the time term.
 * The full corpus is scored by bench/ocrQuality.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { InferenceEngine } from '../../src/inference/index.js';
import { ocrSynapseFor, type OcrSynapse } from '../../src/synapses/index.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { scoreResponse, type OcrLabel, type PageScore } from '../../packages/validator-sim/src/index.js';

const DIR = new URL('../fixtures/ocr/tutorial/', import.meta.url);
/** The tutorial's own template: 0.956 on these pages since the label boxes follow glyph bearings and line sizes. */
const TUTORIAL_BAR = 0.945;
/** Layouts the tutorial never draws (mixed families and sizes, right-aligned columns, text blocks). */
const OTHER_LAYOUT_FLOOR = 0.9;

function pages(): { name: string; base64: string; labels: OcrLabel[] }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: f.slice(0, -5),
      base64: readFileSync(new URL(f.replace(/json$/, 'jpg'), DIR)).toString('base64'),
      labels: JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as OcrLabel[],
    }));
}

describe("OCR on the tutorial pipeline's pages", () => {
  let engine: InferenceEngine;
  let ocr: OcrSynapse;
  const scores = new Map<string, PageScore>();

  beforeAll(async () => {
    const modules = { logger: silentLogger(), metrics: null, clock: systemClock(), signal: new AbortController().signal };
    engine = new InferenceEngine(inferenceSchema.parse({ devices: ['cpu'] }), modules);
    await engine.start();
    ocr = ocrSynapseFor(engine);
    for (const p of pages()) {
      const out = await ocr.handle(ocr.parseInput({ base64_image: p.base64 }), {
        requestId: p.name,
        callerHotkey: 'v',
        priority: 0,
        deadlineMs: Date.now() + 120_000,
        signal: new AbortController().signal,
      });
      scores.set(p.name, scoreResponse(p.labels, out.response, 0));
    }
  });
  afterAll(async () => {
    await engine.stop();
  });

  it(`scores the tutorial's template at a mean of at least ${TUTORIAL_BAR}`, () => {
    const tutorial = [...scores].filter(([n]) => n.startsWith('tutorial-')).map(([, s]) => s.prediction);
    expect(tutorial.length).toBeGreaterThanOrEqual(3);
    expect(tutorial.reduce((a, b) => a + b, 0) / tutorial.length).toBeGreaterThanOrEqual(TUTORIAL_BAR);
    // One of them is set in Helvetica: the family the old estimate got wrong on every line.
    expect(scores.get('tutorial-00')!.font).toBeGreaterThan(0.95);
  });

  it(`scores layouts the tutorial never draws at ${OTHER_LAYOUT_FLOOR} or more, mixed families included`, () => {
    for (const name of ['columns-00', 'letter-00', 'mixed-00']) {
      expect(scores.get(name)!.prediction, name).toBeGreaterThanOrEqual(OTHER_LAYOUT_FLOOR);
      expect(scores.get(name)!.matched, name).toBe(scores.get(name)!.labels);
    }
    expect(scores.get('mixed-00')!.font).toBeGreaterThan(0.85);
  });
});
