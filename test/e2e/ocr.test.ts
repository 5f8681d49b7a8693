/**
 * The real PP-OCRv4 models through the engine on this host's CPU (CUDA cannot load here, so
 * `auto` exercises the fallback): clean lines read back exactly, tutorial-like invoice pages
 * score well with the tutorial's reward, bad images get a 400 without hurting others, and the
 * ArgMax graph edit leaves the decoded text unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ocrSynapseFor, type OcrSynapse } from '../../src/synapses/index.js';
import sharp from 'sharp';
import { InferenceEngine } from '../../src/inference/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import type { RequestContext } from '../../src/synapse/index.js';
import { MinerError, silentLogger, systemClock } from '../../src/util/index.js';
import { invoicePage, scorePage } from '../fixtures/ocr/invoicePage.js';
import { InvoiceGenerator, scoreResponse } from '../../packages/validator-sim/src/index.js';

function modules() {
  return { logger: silentLogger(), metrics: null, clock: systemClock(), signal: new AbortController().signal };
}

function ctx(overrides: Partial<RequestContext> = {}): RequestContext {
  return { requestId: 'r', callerHotkey: 'v', priority: 0, deadlineMs: Date.now() + 120_000, signal: new AbortController().signal, ...overrides };
}

const CLEAN_LINES = ['Invoice Date: March 14, 2021', 'Web development', 'Total: $1,250.00', 'Payment due within 30 days'];

async function cleanPage(family: string): Promise<string> {
  const texts = CLEAN_LINES.map((t, i) => `<text x="20" y="${40 + i * 40}" font-family="${family}" font-size="20">${t}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="190"><rect width="100%" height="100%" fill="#fff"/>${texts}</svg>`;
  return (await sharp(Buffer.from(svg)).flatten({ background: '#fff' }).png().toBuffer()).toString('base64');
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'ok';
  } catch (e) {
    return e instanceof MinerError ? `${e.code}:${e.spec.status}` : String(e);
  }
}

describe('OCR engine on CPU', () => {
  let engine: InferenceEngine;
  let ocr: OcrSynapse;

  beforeAll(async () => {
    engine = new InferenceEngine(inferenceSchema.parse({ device: 'auto' }), modules());
    await engine.start();
    ocr = ocrSynapseFor(engine);
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('falls back to CPU and loads det and rec', () => {
    expect(engine.device()).toBe('cpu');
    expect(engine.modelsLoaded()).toEqual(['ocr-det', 'ocr-rec']);
    expect(ocr.name).toBe('OCRSynapse');
    expect(ocr.inputFields).toEqual(['base64_image']);
    expect(ocr.modelId).toMatch(/^ppocrv4-[0-9a-f]{16}$/);
  });

  it('reads clean rendered lines back exactly, one item per line, top to bottom', async () => {
    for (const family of ['Liberation Sans', 'Liberation Serif']) {
      const out = await ocr.handle(ocr.parseInput({ base64_image: await cleanPage(family) }), ctx());
      expect(out.response.map((l) => l.text)).toEqual(CLEAN_LINES);
      for (const [i, l] of out.response.entries()) {
        const [x0, y0, x1, y1] = l.position;
        expect(x0).toBeGreaterThan(10);
        expect(x0).toBeLessThan(25);
        expect(y1 - y0).toBeGreaterThan(15);
        expect(y1 - y0).toBeLessThan(26);
        expect(y0).toBeGreaterThan(40 + i * 40 - 24);
        expect(x1).toBeGreaterThan(x0);
        expect(l.font.size).toBeGreaterThanOrEqual(18);
        expect(l.font.size).toBeLessThanOrEqual(22);
      }
      expect(out.response[0]!.font.family).toBe(family === 'Liberation Sans' ? 'Helvetica' : 'Times-Roman');
    }
  });

  it('answers tutorial-like invoice pages well under 5 s with a mean score >= 0.80', async () => {
    const scores: number[] = [];
    for (const seed of [11, 12]) {
      const page = await invoicePage(seed);
      const runsBefore = engine.runCount('ocr-det');
      const t0 = performance.now();
      const out = await ocr.handle(ocr.parseInput({ base64_image: page.base64 }), ctx());
      const seconds = (performance.now() - t0) / 1000;
      expect(engine.runCount('ocr-det')).toBe(runsBefore + 1);
      const score = scorePage(page.labels, out.response);
      scores.push(score.mean);
      expect(out.response.length).toBeGreaterThanOrEqual(page.labels.length - 3);
      expect(seconds).toBeLessThan(30); // CPU-only on a shared 2-core box; ~1-3 s when idle
      for (const l of out.response) {
        expect(l.position).toHaveLength(4);
        expect(l.position[2]).toBeGreaterThan(l.position[0]);
        expect(l.position[3]).toBeGreaterThan(l.position[1]);
        expect(['Helvetica', 'Times-Roman']).toContain(l.font.family);
        expect(Number.isInteger(l.font.size)).toBe(true);
      }
    }
    expect(scores.reduce((a, b) => a + b, 0) / scores.length).toBeGreaterThanOrEqual(0.8);
  });

  it("scores >= 0.80 on the validator simulator's pages with its scorer", async () => {
    const gen = new InvoiceGenerator();
    const page = await gen.generate('ocr-e2e-1');
    const t0 = performance.now();
    const out = await ocr.handle(ocr.parseInput({ base64_image: page.base64Image }), ctx());
    const score = scoreResponse(page.labels, out.response, (performance.now() - t0) / 1000);
    expect(score.prediction).toBeGreaterThanOrEqual(0.8);
    expect(score.matched).toBeGreaterThanOrEqual(page.labels.length - 3);
  });

  it('keeps the event loop responsive while models run (sessions live in worker threads)', async () => {
    const page = await invoicePage(15);
    let last = performance.now(),
      worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    const t0 = performance.now();
    await ocr.handle(ocr.parseInput({ base64_image: page.base64 }), ctx());
    const total = performance.now() - t0;
    clearInterval(timer);
    // A detection run alone takes ~0.5-1 s on this CPU; on the calling thread it would stall the loop that long.
    expect(worst).toBeLessThan(Math.min(600, total / 2));
  });

  it('batches recognition across concurrent requests', async () => {
    const page = await invoicePage(13);
    const recBefore = engine.runCount('ocr-rec');
    const input = ocr.parseInput({ base64_image: page.base64 });
    const outs = await Promise.all([0, 1, 2].map(() => ocr.handle(input, ctx())));
    const recRuns = engine.runCount('ocr-rec') - recBefore;
    const lines = outs.reduce((n, o) => n + o.response.length, 0);
    // Padding to a batch's width can flip a character; the lines themselves must agree.
    expect(outs[1]!.response.length).toBe(outs[0]!.response.length);
    const same = outs[1]!.response.filter((l, i) => l.text === outs[0]!.response[i]!.text).length;
    expect(same / outs[0]!.response.length).toBeGreaterThan(0.9);
    expect(recRuns).toBeLessThan(lines / 2); // CPU caps a recognition batch at recCpuMaxItems (4)
  });

  it('answers bad images with a 400 and keeps serving a good request meanwhile', async () => {
    const good = await cleanPage('Liberation Sans');
    const jpg = await sharp(Buffer.from(await cleanPage('Liberation Sans'), 'base64'))
      .jpeg()
      .toBuffer();
    const truncated = jpg.subarray(0, Math.floor(jpg.length / 2)).toString('base64');
    const huge = Buffer.from(jpg);
    const sof = huge.indexOf(Buffer.from([0xff, 0xc0]));
    huge.writeUInt16BE(20000, sof + 5);
    huge.writeUInt16BE(20000, sof + 7);
    const goodRun = ocr.handle(ocr.parseInput({ base64_image: good }), ctx());
    expect(await codeOf(() => ocr.parseInput({ base64_image: Buffer.from('plain text').toString('base64') }))).toBe('BAD_IMAGE:400');
    expect(await codeOf(() => ocr.parseInput({ base64_image: huge.toString('base64') }))).toBe('BAD_IMAGE:400');
    expect(await codeOf(() => ocr.parseInput({ base64_image: 42 }))).toBe('BAD_REQUEST:400');
    expect(await codeOf(ocr.handle(ocr.parseInput({ base64_image: truncated }), ctx()))).toBe('BAD_IMAGE:400');
    expect((await goodRun).response.map((l) => l.text)).toEqual(CLEAN_LINES);
  });

  it('drops a request whose deadline has passed before any model runs (408)', async () => {
    const before = engine.runCount('ocr-det');
    const input = ocr.parseInput({ base64_image: await cleanPage('Liberation Sans') });
    expect(await codeOf(ocr.handle(input, ctx({ deadlineMs: Date.now() - 1 })))).toBe('DEADLINE_EXCEEDED:408');
    expect(engine.runCount('ocr-det')).toBe(before);
  });

  it('decodes identical text with and without the ArgMax graph edit', async () => {
    const plain = new InferenceEngine(inferenceSchema.parse({ device: 'cpu', ocr: { argmaxInGraph: false, detWarmupShapes: [] } }), modules());
    await plain.start();
    try {
      const page = await invoicePage(14);
      const a = await ocr.handle(ocr.parseInput({ base64_image: page.base64 }), ctx());
      const other = ocrSynapseFor(plain);
      const b = await other.handle(other.parseInput({ base64_image: page.base64 }), ctx());
      expect(b.response.map((l) => l.text)).toEqual(a.response.map((l) => l.text));
      // The edit prunes the classifier to the charset, so line scores (and which lines pass
      // recMinScore) may differ: the setting is part of the model id the cache keys use.
      expect(other.modelId).not.toBe(ocr.modelId);
    } finally {
      await plain.stop();
    }
  });

  it('refuses to start on device "cuda" without the CUDA provider', async () => {
    const e = new InferenceEngine(inferenceSchema.parse({ device: 'cuda' }), modules());
    const err = await e.start().catch((x: unknown) => x);
    expect(err).toBeInstanceOf(MinerError);
    expect((err as MinerError).code).toBe('MODEL_LOAD_FAILED');
    await e.stop();
  });
});
