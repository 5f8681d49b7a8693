import { test } from 'vitest';
import { Registry } from 'prom-client';
import { InferenceEngine } from '../../src/inference/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { InvoiceGenerator } from '../../src/validator/index.js';
import { writeFileSync } from 'node:fs';
test('spot', async () => {
  const engine = new InferenceEngine(inferenceSchema.parse({}), { logger: silentLogger(), registry: new Registry(), clock: systemClock(), signal: new AbortController().signal });
  await engine.start();
  const syn = engine.ocrSynapse();
  const gen = new InvoiceGenerator();
  for (const seed of [1, 3]) {
    const page = await gen.generate(seed);
    if (seed === 1) writeFileSync('/tmp/inf/sim1.jpg', Buffer.from(page.base64Image, 'base64'));
    const out = await syn.handle(syn.parseInput({ base64_image: page.base64Image }), { requestId: 'x', callerHotkey: 'h', priority: 0, deadlineMs: Date.now() + 60000, signal: new AbortController().signal });
    console.log(page.labels.filter((l) => l.position[1] < 110).map((l) => l.text + ' @' + l.position.map(Math.round).join(',')).join(' | '));
    console.log(out.response.filter((l) => l.position[1] < 110).map((l) => l.text + ' @' + l.position.map(Math.round).join(',') + ' ' + l.font.family + l.font.size).join(' | '));
  }
  await engine.stop();
});
