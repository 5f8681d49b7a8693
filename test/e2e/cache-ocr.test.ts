import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ocrSynapseFor } from '../../src/synapses/index.js';
import type { AxonServer } from '../../src/axon/index.js';
import { Dendrite } from '../../src/client/index.js';
import { SynapseRegistry } from '../../src/synapse/index.js';
import type { ResponseCache } from '../../src/cache/index.js';
import { buildServingStack } from '../../src/node/index.js';
import { inferenceSchema } from '../../src/config/sections/inference.js';
import { InferenceEngine } from '../../src/inference/index.js';
import { systemClock } from '../../src/util/index.js';
import { invoicePage } from '../fixtures/ocr/invoicePage.js';
import { StaticMetagraph, axonConfig, coreModules, keys, neuron } from '../unit/axon/fixtures.js';
import { cacheOpts } from '../unit/cache/cacheTestKit.js';

/**
 * The acceptance test with the real engine: 100 concurrent identical OCRSynapse
 * requests through a real axon, over both transports and from three validators, cause exactly
 * one OCR run, read from the engine's own run counter.
 */
const clock = systemClock();
let k: Awaited<ReturnType<typeof keys>>;
let engine: InferenceEngine;
let axon: AxonServer;
let cache: ResponseCache;
let port: number;
const dendrites: Dendrite[] = [];

beforeAll(async () => {
  k = await keys();
  const m = coreModules(clock);
  engine = new InferenceEngine(inferenceSchema.parse({ device: 'cpu' }), m);
  await engine.start();
  const metagraph = new StaticMetagraph([
    neuron(0, k.bob.address, 1000, true),
    neuron(1, k.alice.address, 500, true),
    neuron(2, k.charlie.address, 300, true),
    neuron(3, k.eve.address, 0, false),
  ]);
  const synapses = new SynapseRegistry();
  synapses.register(ocrSynapseFor(engine));
  ({ cache, axon } = buildServingStack(
    {
      axon: axonConfig({ rateLimit: { perHotkeyPerSec: 10_000, perHotkeyBurst: 10_000, perIpPerSec: 10_000, perIpBurst: 10_000, maxTrackedKeys: 1000 } }),
      scheduler: { queueLength: 256, concurrency: 4 },
      cache: cacheOpts({}),
    },
    { ...m, pair: k.eve, metagraph, synapses, observer: { observe: () => {} } },
  ));
  await cache.start();
  await axon.start();
  port = axon.address().port;
});

afterAll(async () => {
  for (const d of dendrites) await d.close();
  await axon?.stop();
  await cache?.stop();
  await engine?.stop();
});

describe('OCRSynapse through the cache and the real engine', () => {
  it('100 concurrent identical pages: one OCR run; a new page: one more', async () => {
    const page = await invoicePage(3);
    const validators = [k.bob, k.alice, k.charlie];
    const ws = validators.map((v) => new Dendrite({ pair: v }, { clock }));
    dendrites.push(...ws);
    const query = (i: number) => {
      const http = i % 2 === 1;
      const d = http ? new Dendrite({ pair: validators[i % 3]! }, { clock }) : ws[i % 3]!;
      if (http) dendrites.push(d);
      return d.query({
        host: '127.0.0.1',
        port,
        axonHotkey: k.eve.address,
        synapse: 'OCRSynapse',
        body: { base64_image: page.base64 },
        timeoutMs: 60_000,
        transport: http ? 'http' : 'ws',
      });
    };
    const before = engine.runCount('ocr');
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => query(i)));
    expect(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.message}`)).toEqual([]);
    expect(engine.runCount('ocr') - before).toBe(1);
    const texts = new Set(answers.map((a) => JSON.stringify(a.body?.['response'])));
    expect(texts.size).toBe(1);
    expect(((answers[0]!.body?.['response'] ?? []) as unknown[]).length).toBeGreaterThan(3);
    // Requests still being verified when the answer lands are hits, the others joined the run.
    const s = cache.stats();
    expect(s.misses).toBe(1);
    expect(s.hits + s.coalesced).toBe(99);
    expect(s.coalesced).toBeGreaterThan(0);

    const other = await invoicePage(4);
    const r = await ws[0]!.query({
      host: '127.0.0.1',
      port,
      axonHotkey: k.eve.address,
      synapse: 'OCRSynapse',
      body: { base64_image: other.base64 },
      timeoutMs: 60_000,
      transport: 'ws',
    });
    expect(r.status).toBe(200);
    expect(engine.runCount('ocr') - before).toBe(2);
  });
});
