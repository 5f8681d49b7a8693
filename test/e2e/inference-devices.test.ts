/**
 * The real PP-OCRv4 models on two CPU devices (`inference.devices: ["cpu","cpu"]`, the cores split
 * between them): a burst of concurrent pages is served by both devices, as the Prometheus text
 * the admin server would expose at /metrics shows; then one device is made to fail mid-burst
 * (a fault injected through the engine's session factory) and every page is still answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ocrSynapseFor, type OcrSynapse } from '../../src/synapses/index.js';
import { Registry } from 'prom-client';
import { createMinerMetrics } from '../../src/metrics/index.js';
import { InferenceEngine, defaultSessionFactory, type SessionFactory } from '../../src/inference/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { invoicePage, scorePage, type Page } from '../fixtures/ocr/invoicePage.js';

type RequestContext = Parameters<OcrSynapse['handle']>[1];

function ctx(): RequestContext {
  return { requestId: 'r', callerHotkey: 'v', priority: 0, deadlineMs: Date.now() + 300_000, signal: new AbortController().signal };
}

/** Wraps the real factory: once armed, the device's sessions fail after `after` more runs, as a lost GPU would. */
function faultyFactory(device: string, after: number) {
  const real = defaultSessionFactory(true);
  const state = { armed: false, runs: 0, injected: 0 };
  const factory: SessionFactory = async (model, opts, spec) => {
    const s = await real(model, opts, spec);
    if (spec.label !== device) return s;
    return {
      inputNames: s.inputNames,
      outputNames: s.outputNames,
      release: () => s.release(),
      run: (feeds, fetches) => {
        if (state.armed && ++state.runs > after) {
          state.injected++;
          return Promise.reject(new Error('CUDA failure 700: an illegal memory access was encountered (injected)'));
        }
        return s.run(feeds, fetches);
      },
    };
  };
  return { factory, state };
}

/** Sums a counter or gauge from the Prometheus text exposition, per `device` label. */
function perDevice(text: string, metric: string, filter = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) || !line.includes(filter)) continue;
    const device = /device="([^"]+)"/.exec(line)?.[1] ?? '?';
    out[device] = (out[device] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

describe('OCR on two CPU devices', () => {
  const registry = new Registry();
  const fault = faultyFactory('cpu:1', 2);
  let engine: InferenceEngine;
  let ocr: OcrSynapse;
  let pages: Page[];

  beforeAll(async () => {
    engine = new InferenceEngine(inferenceSchema.parse({ devices: ['cpu', 'cpu'] }), {
      logger: silentLogger(),
      metrics: createMinerMetrics(registry).inference,
      clock: systemClock(),
      signal: new AbortController().signal,
      createSession: fault.factory,
    });
    [, pages] = await Promise.all([engine.start(), Promise.all([21, 22, 23, 24].map((s) => invoicePage(s)))]);
    ocr = ocrSynapseFor(engine);
  }, 180_000);
  afterAll(async () => {
    await engine.stop();
  });

  const burst = (n: number) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const page = pages[i % pages.length]!;
        const out = await ocr.handle(ocr.parseInput({ base64_image: page.base64 }), ctx());
        return scorePage(page.labels, out.response).mean;
      }),
    );

  it('serves a burst with both devices running batches', async () => {
    expect(engine.deviceStatus().map((d) => d.device)).toEqual(['cpu:0', 'cpu:1', 'cpu:solo']);
    const before = perDevice(await registry.metrics(), 'miner_inference_device_batches_total');
    const scores = await burst(8);
    expect(scores.every((s) => s > 0.5)).toBe(true);
    const after = perDevice(await registry.metrics(), 'miner_inference_device_batches_total');
    for (const d of ['cpu:0', 'cpu:1']) expect((after[d] ?? 0) - (before[d] ?? 0)).toBeGreaterThan(0);
    const rec = perDevice(await registry.metrics(), 'miner_inference_device_batches_total', 'model="ocr-rec"');
    // Both lanes read lines; the solo set may have taken a batch that came while they were idle.
    expect(Object.keys(rec)).toEqual(expect.arrayContaining(['cpu:0', 'cpu:1']));
    expect(perDevice(await registry.metrics(), 'miner_inference_device_available_bool')).toEqual({ 'cpu:0': 1, 'cpu:1': 1, 'cpu:solo': 1 });
  }, 240_000);

  it('answers every page when one device fails mid-burst, and reports it out', async () => {
    fault.state.armed = true;
    const scores = await burst(8);
    expect(scores).toHaveLength(8);
    expect(scores.every((s) => s > 0.5)).toBe(true);
    // Batches of several models may be in flight on the device when it fails: each of them fails
    // once and is retried elsewhere, but the device is taken out (and counted) only once.
    expect(fault.state.injected).toBeGreaterThanOrEqual(1);
    const text = await registry.metrics();
    expect(perDevice(text, 'miner_inference_device_available_bool')).toEqual({ 'cpu:0': 1, 'cpu:1': 0, 'cpu:solo': 1 });
    expect(perDevice(text, 'miner_inference_device_failures_total')).toEqual({ 'cpu:1': 1 });
    expect(engine.deviceStatus().map((d) => [d.device, d.state])).toEqual([
      ['cpu:0', 'up'],
      ['cpu:1', 'out'],
      ['cpu:solo', 'up'],
    ]);
    expect(engine.device()).toBe('cpu');
  }, 240_000);
});
