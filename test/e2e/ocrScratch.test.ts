import { test } from 'vitest';
import { Registry } from 'prom-client';
import { writeFileSync } from 'node:fs';
import { InferenceEngine } from '../../src/inference/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { createRootLogger, systemClock } from '../../src/util/index.js';
import { invoicePage, scorePage } from '../fixtures/ocr/invoicePage.js';

test('scratch', async () => {
  const logger = createRootLogger({ level: 'info' });
  const cfg = inferenceSchema.parse(JSON.parse(process.env.INF_CFG ?? '{}'));
  const engine = new InferenceEngine(cfg, { logger, registry: new Registry(), clock: systemClock(), signal: new AbortController().signal });
  await engine.start();
  const syn = engine.ocrSynapse();
  const n = Number(process.env.PAGES ?? 3);
  const agg = { mean: 0, text: 0, position: 0, font: 0 };
  for (let s = 1; s <= n; s++) {
    const page = await invoicePage(s);
    if (s === 1) writeFileSync('/tmp/inf/page1.jpg', Buffer.from(page.base64, 'base64'));
    const input = syn.parseInput({ base64_image: page.base64 });
    const t0 = performance.now(); const c0 = process.cpuUsage();
    const out = await syn.handle(input, { requestId: 'x', callerHotkey: 'h', priority: 0, deadlineMs: Date.now() + 60000, signal: new AbortController().signal });
    const ms = performance.now() - t0; const cu = process.cpuUsage(c0); console.log('cpu ms', (cu.user + cu.system) / 1000);
    const sc = scorePage(page.labels, out.response);
    for (const k of Object.keys(agg) as (keyof typeof agg)[]) agg[k] += sc[k] / n;
    console.log(s, page.labels[0]!.font, Math.round(ms), 'ms', JSON.stringify({ mean: sc.mean, text: sc.text, pos: sc.position, font: sc.font }));
    const uniq = (t: string) => page.labels.filter((x) => x.text === t).length === 1;
    const match = page.labels.map((l) => uniq(l.text) ? out.response.find((p) => p.text.replace(/ /g, '') === l.text.replace(/ /g, '')) : undefined);
    const d = [0, 0, 0, 0]; let k = 0;
    page.labels.forEach((l, i) => { const p = match[i]; if (!p) return; k++; for (let j = 0; j < 4; j++) d[j] += (p.position[j]! - l.position[j]!); });
    console.log('bias', k, d.map((v) => (v / k).toFixed(2)).join(' '));
    if (process.env.VERBOSE) {
      page.labels.forEach((l, i) => console.log(JSON.stringify(l), '\n   ', JSON.stringify(sc.sections[i])));
      console.log(JSON.stringify(out.response));
    }
  }
  console.log('AGG', JSON.stringify(agg));
  await engine.stop();
});
