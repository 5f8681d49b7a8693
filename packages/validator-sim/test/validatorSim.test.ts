import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { ApiPromise } from '@polkadot/api';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AxonInfo, MetagraphSource, NeuronInfo } from '../../../src/chain/index.js';
import { neuron as baseNeuron, snapshotOf } from '../../../test/helpers/metagraph.js';
import { ManualClock, silentLogger } from '../../../src/util/index.js';
import { InvoiceGenerator, type InvoicePage } from '../src/invoiceGenerator.js';
import type { DendriteAnswer, DendriteClient, DendriteQuery } from '../src/minerQuery.js';
import { minerTargets } from '../src/minerQuery.js';
import { ValidatorSim } from '../src/validatorSim.js';
import { normalizeWeights, setWeightsCall } from '../src/weightSetter.js';

class CapturingGenerator extends InvoiceGenerator {
  last: InvoicePage | undefined;
  override async generate(seed: string | number, nItems?: number): Promise<InvoicePage> {
    this.last = await super.generate(seed, nItems);
    return this.last;
  }
}

const axon = (ip: string, port: number): AxonInfo => ({ ip, port, ipType: 4, protocol: 4, version: 1, block: 1 });
const neuron = (uid: number, hotkey: string, a: AxonInfo | null): NeuronInfo =>
  baseNeuron(uid, { hotkey, coldkey: hotkey, validatorPermit: uid === 0, axon: a });
/** Read again on every call, so a test that replaces a neuron sees the next snapshot change. */
function metagraphOf(neurons: NeuronInfo[]): MetagraphSource {
  return { current: () => snapshotOf(neurons, { tempo: 10, syncedAtMs: 0 }), onUpdate: () => () => {} };
}

/** Just enough of ApiPromise for set_weights: storage reads, the header, and a call that lands in a block. */
function fakeApi(state: { block: number; calls: unknown[][]; lastUpdate: number[]; versionKey: number; rateLimit: number }): ApiPromise {
  const num = (v: number) => async () => ({ toString: () => String(v) });
  const setWeights = Object.assign(
    (...args: unknown[]) => {
      state.calls.push(args);
      return {
        hash: { toHex: () => '0xabc' },
        signAndSend: async (_p: unknown, _o: unknown, cb: (r: unknown) => void) => {
          setTimeout(
            () => cb({ status: { isInBlock: true, isFinalized: false, asInBlock: { toHex: () => '0xblock' } }, dispatchError: undefined, events: [] }),
            1,
          );
          return () => {};
        },
      };
    },
    { meta: { args: ['netuid', 'dests', 'weights', 'version_key'].map((n) => ({ name: { toString: () => n } })) } },
  );
  return {
    rpc: { chain: { getHeader: async () => ({ number: { toNumber: () => state.block } }) } },
    query: {
      subtensorModule: {
        weightsVersionKey: async () => ({ toString: () => String(state.versionKey) }),
        weightsSetRateLimit: async () => ({ toString: () => String(state.rateLimit) }),
        tempo: num(10),
        lastUpdate: async () => ({ toJSON: () => state.lastUpdate }),
      },
    },
    tx: { subtensorModule: { setWeights } },
    events: { system: { ExtrinsicFailed: { is: () => false } } },
  } as unknown as ApiPromise;
}

describe('miner targets and weights', () => {
  it('queries served axons of other hotkeys, with host and per-hotkey overrides', () => {
    const ns = [neuron(0, 'me', axon('10.0.0.9', 1)), neuron(1, 'a', axon('10.0.0.1', 8091)), neuron(2, 'b', null), neuron(3, 'c', axon('0.0.0.0', 0))];
    expect(minerTargets(ns, 'me', {})).toEqual([{ uid: 1, hotkey: 'a', host: '10.0.0.1', port: 8091 }]);
    expect(minerTargets(ns, 'me', { host: '127.0.0.1' })[0]?.host).toBe('127.0.0.1');
    const t = minerTargets(ns, 'me', { host: '127.0.0.1', byHotkey: { b: '127.0.0.2:9000' } });
    expect(t.map((x) => [x.uid, x.host, x.port])).toEqual([
      [1, '127.0.0.1', 8091],
      [2, '127.0.0.2', 9000],
    ]);
  });

  it('scales weights so the best uid gets 65535 and drops zeros', () => {
    expect(
      normalizeWeights(
        new Map([
          [3, 0.2],
          [1, 0.4],
          [2, 0],
        ]),
      ),
    ).toEqual({ uids: [1, 3], weights: [65535, 32768] });
    expect(normalizeWeights(new Map([[1, 0]]))).toEqual({ uids: [], weights: [] });
  });

  it('builds set_weights in the order the metadata declares, with either argument spelling', () => {
    const seen: unknown[][] = [];
    const api = {
      tx: {
        subtensorModule: {
          setWeights: Object.assign(
            (...a: unknown[]) => {
              seen.push(a);
              return {};
            },
            {
              meta: { args: ['netuid', 'uids', 'values', 'version_key'].map((n) => ({ name: { toString: () => n } })) },
            },
          ),
        },
      },
    } as unknown as ApiPromise;
    setWeightsCall(api, { netuid: 7, dests: [1, 2], weights: [65535, 100], versionKey: 5 });
    expect(seen[0]).toEqual([7, [1, 2], [65535, 100], 5]);
  });
});

describe('ValidatorSim', () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  beforeAll(async () => {
    await cryptoWaitReady();
  });

  function build(state: Parameters<typeof fakeApi>[0], answer: (q: DendriteQuery, page: InvoicePage) => DendriteAnswer) {
    const pair = keyring.addFromUri('//Bob');
    const gen = new CapturingGenerator();
    const neurons = [
      neuron(0, pair.address, axon('10.0.0.9', 1)),
      neuron(1, 'good', axon('10.0.0.1', 8091)),
      neuron(2, 'sloppy', axon('10.0.0.1', 8092)),
      neuron(3, 'broken', axon('10.0.0.1', 8093)),
    ];
    const queries: DendriteQuery[] = [];
    const dendrite: DendriteClient = {
      query: async (q) => {
        queries.push(q);
        return answer(q, gen.last!);
      },
    };
    const sim = new ValidatorSim(
      { netuid: 1, queryTimeoutMs: 5_000, transport: 'http', seed: 't', hostOverride: '127.0.0.1', movingAverageAlpha: 0.5 },
      {
        logger: silentLogger(),
        registry: new Registry(),
        clock: new ManualClock(),
        signal: new AbortController().signal,
        pair,
        metagraph: metagraphOf(neurons),
        chain: { api: () => fakeApi(state) },
        dendrite,
        generator: gen,
      },
    );
    return { sim, queries, neurons };
  }

  const answer = (q: DendriteQuery, page: InvoicePage): DendriteAnswer => {
    const ok = { message: 'Success', processTimeMs: 400, verified: false };
    if (q.port === 8091) return { ...ok, status: 200, body: { response: page.labels }, latencyMs: 500 };
    if (q.port === 8092) return { ...ok, status: 200, body: { response: page.labels.slice(0, 10).map((l) => ({ ...l, text: 'x' })) }, latencyMs: 500 };
    return { status: 500, message: 'boom', body: null, processTimeMs: 0, verified: false, latencyMs: 3 };
  };

  it('scores each served miner, keeps moving averages, and sets weights once a tempo has passed', async () => {
    const state = { block: 100, calls: [] as unknown[][], lastUpdate: [95, 0, 0, 0], versionKey: 3, rateLimit: 0 };
    const { sim, queries } = build(state, answer);
    const r1 = await sim.runRound();
    expect(queries.map((q) => [q.host, q.port, q.axonHotkey, q.synapse, q.transport])).toEqual([
      ['127.0.0.1', 8091, 'good', 'OCRSynapse', 'http'],
      ['127.0.0.1', 8092, 'sloppy', 'OCRSynapse', 'http'],
      ['127.0.0.1', 8093, 'broken', 'OCRSynapse', 'http'],
    ]);
    expect(typeof queries[0]?.body['base64_image']).toBe('string');
    const byUid = new Map(r1.miners.map((m) => [m.uid, m]));
    expect(byUid.get(1)!.score.prediction).toBeCloseTo(1, 6);
    expect(byUid.get(1)!.score.total).toBeCloseTo(0.8 + 0.2 * 0.9, 6);
    expect(byUid.get(2)!.score.prediction).toBeLessThan(0.5);
    expect(byUid.get(3)!.score.total).toBe(0);
    expect(byUid.get(1)!.movingAverage).toBeCloseTo(0.5 * byUid.get(1)!.score.total, 6);
    // Block 100, last update 95, tempo 10: too early.
    expect(r1.weights).toBeUndefined();
    expect(state.calls).toHaveLength(0);

    state.block = 106;
    const r2 = await sim.runRound();
    expect(r2.weights?.ok).toBe(true);
    const [netuid, dests, weights, versionKey] = state.calls[0] as [number, number[], number[], number];
    expect(netuid).toBe(1);
    expect(dests).toEqual([1, 2]);
    expect(weights[0]).toBe(65535);
    expect(weights[1]!).toBeLessThan(30_000);
    expect(versionKey).toBe(3);

    // Right after a successful set: the next tempo is counted from it.
    state.block = 110;
    expect((await sim.runRound()).weights).toBeUndefined();
    state.block = 116;
    expect((await sim.runRound()).weights?.ok).toBe(true);
  });

  it('gives no weight to a uid that a new hotkey took over', async () => {
    const state = { block: 100, calls: [] as unknown[][], lastUpdate: [0, 0, 0, 0], versionKey: 0, rateLimit: 0 };
    const { sim, neurons } = build(state, answer);
    await sim.runRound();
    // uid 2 re-registered by someone who serves nothing yet: its old score must not count.
    neurons[2] = neuron(2, 'newcomer', null);
    state.calls.length = 0;
    state.block = 120;
    const r = await sim.runRound();
    expect(r.weights?.ok).toBe(true);
    expect((state.calls[0] as [number, number[]])[1]).toEqual([1]);
  });

  it('waits for WeightsSetRateLimit even when the tempo has passed', async () => {
    const state = { block: 130, calls: [] as unknown[][], lastUpdate: [100, 0, 0, 0], versionKey: 0, rateLimit: 50 };
    const { sim } = build(state, answer);
    expect((await sim.runRound()).weights).toBeUndefined();
    state.block = 150;
    expect((await sim.runRound()).weights?.ok).toBe(true);
  });

  it('keeps scoring when the chain is down', async () => {
    const pair = keyring.addFromUri('//Bob');
    const gen = new CapturingGenerator();
    const sim = new ValidatorSim(
      { netuid: 1, queryTimeoutMs: 1_000, transport: 'ws', seed: 'down' },
      {
        logger: silentLogger(),
        registry: new Registry(),
        clock: new ManualClock(),
        signal: new AbortController().signal,
        pair,
        metagraph: metagraphOf([neuron(1, 'good', axon('127.0.0.1', 8091))]),
        chain: {
          api: () => {
            throw new Error('not connected');
          },
        },
        dendrite: {
          query: async () => ({ status: 200, message: 'Success', body: { response: gen.last!.labels }, processTimeMs: 90, verified: false, latencyMs: 100 }),
        },
        generator: gen,
      },
    );
    const r = await sim.runRound();
    expect(r.miners[0]?.score.prediction).toBeCloseTo(1, 6);
    expect(r.weights).toBeUndefined();
  });
});
