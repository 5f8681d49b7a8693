import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { AxonServer } from '../../src/axon/index.js';
import { Dendrite, type DendriteQuery } from '../../src/client/index.js';
import { SynapseRegistry } from '../../src/synapse/index.js';
import { buildServingStack } from '../../src/node/index.js';
import type { RequestContext, SynapseBody, SynapseHandler } from '../../src/synapse/index.js';
import type { CacheOutcome, ResponseCache } from '../../src/cache/index.js';
import { MinerError, systemClock } from '../../src/util/index.js';
import { StaticMetagraph, axonConfig, coreModules, keys, neuron } from '../unit/axon/fixtures.js';
import { cacheOpts } from '../unit/cache/cacheTestKit.js';

/**
 * The cache wired as the node wires it: a real AxonServer whose executor is
 * cache.wrap(scheduler), real sockets, real signatures. Handlers count their model runs.
 */
const clock = systemClock();
let k: Awaited<ReturnType<typeof keys>>;
let axon: AxonServer;
let cache: ResponseCache;
let port: number;
const dendrites: Dendrite[] = [];
const outcomes = new Map<string, CacheOutcome>();

function counting(name: string, delayMs: number): SynapseHandler<number, SynapseBody> & { runs: number } {
  const h = {
    name,
    inputFields: ['page'],
    modelId: `${name}-v1`,
    runs: 0,
    parseInput(body: SynapseBody): number {
      if (typeof body['page'] !== 'number') throw new MinerError('BAD_REQUEST', 'page must be a number');
      return body['page'];
    },
    async handle(page: number, ctx: RequestContext): Promise<SynapseBody> {
      h.runs++;
      await new Promise((r) => setTimeout(r, delayMs));
      return { text: `page ${page} read by run ${h.runs}`, caller: ctx.callerHotkey.slice(0, 6) };
    },
  };
  return h;
}

const shared = counting('SharedOcr', 150);
const perValidator = counting('PerValidatorOcr', 20);
const off = counting('OffOcr', 20);

function dendrite(pair: KeyringPair): Dendrite {
  const d = new Dendrite({ pair }, { clock });
  dendrites.push(d);
  return d;
}

function q(synapse: string, page: number, over: Partial<DendriteQuery> = {}): DendriteQuery {
  return { host: '127.0.0.1', port, axonHotkey: k.eve.address, synapse, body: { page }, timeoutMs: 10_000, transport: 'ws', ...over };
}

beforeAll(async () => {
  k = await keys();
  const m = coreModules(clock);
  const metagraph = new StaticMetagraph([
    neuron(0, k.bob.address, 1000, true),
    neuron(1, k.alice.address, 500, true),
    neuron(2, k.charlie.address, 300, true),
    neuron(3, k.eve.address, 0, false),
  ]);
  const synapses = new SynapseRegistry();
  for (const h of [shared, perValidator, off]) synapses.register(h);
  const cacheOptions = cacheOpts(
    {
      synapses: {
        SharedOcr: { policy: 'shared' },
        PerValidatorOcr: { policy: 'per-validator' },
        OffOcr: { policy: 'off', dedupInFlight: false },
      },
    },
    { onOutcome: (id, o) => outcomes.set(id, o) },
  );
  const stack = buildServingStack(
    {
      axon: axonConfig({
        rateLimit: { perHotkeyPerSec: 10_000, perHotkeyBurst: 10_000, perIpPerSec: 10_000, perIpBurst: 10_000, maxTrackedKeys: 1000 },
      }),
      scheduler: { queueLength: 256, concurrency: 4 },
      cache: cacheOptions,
    },
    { ...m, pair: k.eve, metagraph, synapses, observer: { observe: () => {} } },
  );
  ({ cache, axon } = stack);
  await cache.start();
  await axon.start();
  port = axon.address().port;
});

afterAll(async () => {
  for (const d of dendrites) await d.close();
  await axon?.stop();
  await cache?.stop();
});

describe('cache behind a real axon', () => {
  it('100 concurrent identical requests from three validators cause exactly one model run', async () => {
    const validators = [k.bob, k.alice, k.charlie];
    const ds = validators.map((v) => dendrite(v));
    // WS keeps one validator's nonces in order on one channel; concurrent HTTP requests need a
    // dendrite (uuid) each, as the axon rejects a nonce older than one already seen.
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0 ? ds[i % 3]!.query(q('SharedOcr', 7)) : dendrite(validators[i % 3]!).query(q('SharedOcr', 7, { transport: 'http' })),
      ),
    );
    expect(answers.filter((a) => a.status !== 200).map((a) => a.message)).toEqual([]);
    expect(shared.runs).toBe(1);
    expect(new Set(answers.map((a) => a.body?.['text']))).toEqual(new Set(['page 7 read by run 1']));
    // The answer goes back inside each caller's own synapse: inputs echoed, outputs filled.
    expect(answers.every((a) => a.body?.['page'] === 7)).toBe(true);
    const later = await ds[0]!.query(q('SharedOcr', 7));
    expect(later.status).toBe(200);
    expect(shared.runs).toBe(1);
    const s = cache.stats();
    expect(s.misses + s.coalesced + s.hits).toBe(101);
    expect(s.misses).toBe(1);
  });

  it('a cached answer still needs a valid signature: a forged request gets 401, not the answer', async () => {
    const d = dendrite(k.bob);
    expect((await d.query(q('SharedOcr', 7))).status).toBe(200);
    const forged = await d.query(q('SharedOcr', 7, { forge: { signer: k.ferdie } }));
    expect(forged.status).toBe(401);
    expect(forged.body?.['text']).toBeUndefined();
    const runs = shared.runs;
    const unknownCaller = await dendrite(k.dave).query(q('SharedOcr', 7));
    expect(unknownCaller.status).toBe(403);
    expect(shared.runs).toBe(runs);
  });

  it('per-validator answers two validators separately and each one consistently', async () => {
    const bob = dendrite(k.bob);
    const alice = dendrite(k.alice);
    const b1 = await bob.query(q('PerValidatorOcr', 1));
    const a1 = await alice.query(q('PerValidatorOcr', 1));
    const b2 = await bob.query(q('PerValidatorOcr', 1));
    const a2 = await alice.query(q('PerValidatorOcr', 1));
    expect(perValidator.runs).toBe(2);
    expect(b1.body?.['text']).not.toBe(a1.body?.['text']);
    expect(b2.body?.['text']).toBe(b1.body?.['text']);
    expect(a2.body?.['text']).toBe(a1.body?.['text']);
  });

  it('off never stores: every request runs the model', async () => {
    const d = dendrite(k.bob);
    for (let i = 0; i < 3; i++) expect((await d.query(q('OffOcr', 3))).status).toBe(200);
    expect(off.runs).toBe(3);
    expect([...outcomes.values()].filter((o) => o === 'bypass')).toHaveLength(3);
  });
});
