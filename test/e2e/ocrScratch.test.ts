import { test } from 'vitest';
import { Registry } from 'prom-client';
import { InferenceEngine } from '../../src/inference/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { InvoiceGenerator, scoreResponse } from '../../src/validator/index.js';

test('scratch', async () => {
  const cfg = inferenceSchema.parse(JSON.parse(process.env.INF_CFG ?? '{}'));
  const engine = new InferenceEngine(cfg, { logger: silentLogger(), registry: new Registry(), clock: systemClock(), signal: new AbortController().signal });
  await engine.start();
  const syn = engine.ocrSynapse();
  const gen = new InvoiceGenerator();
  const n = Number(process.env.PAGES ?? 3);
  const agg = { prediction: 0, text: 0, position: 0, font: 0 };
  for (let s = 1; s <= n; s++) {
    const page = await gen.generate(s);
    const input = syn.parseInput({ base64_image: page.base64Image });
    const t0 = performance.now();
    const out = await syn.handle(input, { requestId: 'x', callerHotkey: 'h', priority: 0, deadlineMs: Date.now() + 60000, signal: new AbortController().signal });
    const ms = performance.now() - t0;
    const sc = scoreResponse(page.labels, out.response, ms / 1000);
    for (const k of Object.keys(agg) as (keyof typeof agg)[]) agg[k] += sc[k] / n;
    console.log(s, page.family, page.size, Math.round(ms), 'ms', JSON.stringify({ p: sc.prediction, text: sc.text, pos: sc.position, font: sc.font, l: sc.labels, m: sc.matched }));
    if (process.env.VERBOSE) {
      for (const l of page.labels) {
        const p = out.response.find((r) => r.text.replace(/ /g, '') === l.text.replace(/ /g, ''));
        console.log(JSON.stringify(l.text), l.position.map((v) => v.toFixed(1)).join(','), p ? p.position.join(',') : 'NONE');
      }
    }
  }
  console.log('AGG', JSON.stringify(agg));
  await engine.stop();
});
