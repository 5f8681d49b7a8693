import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TypeRegistry } from '@polkadot/types';
import { decodeNeuronsLite, stripLengthPrefixes } from '../../../src/chain/metagraphReader.js';
import { registerNeuronInfoLite } from '../../../src/chain/neuronInfoLite.js';

// get_neurons_lite(1) as returned (SCALE Bytes) by the spec 218 runtime under chopsticks, after the devnet bootstrap.
const RECORDED = readFileSync(fileURLToPath(new URL('./fixtures/neuronsLite-spec218.hex', import.meta.url)), 'utf8').trim();
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const CHARLIE = '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y';
const EVE = '5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw';

describe('NeuronInfoLite decoding', () => {
  it('decodes the recorded spec 218 answer (doubly length-prefixed SCALE bytes)', () => {
    const registry = new TypeRegistry();
    const raw = registry.createType('Bytes', RECORDED);
    const neurons = decodeNeuronsLite({ registry }, raw);
    expect(neurons.map((n) => n.uid)).toEqual([0, 1, 2]);
    const bob = neurons[1]!;
    expect(bob).toMatchObject({ hotkey: BOB, coldkey: CHARLIE, active: true, validatorPermit: true, lastUpdate: 6, axon: null });
    expect(neurons[2]!.hotkey).toBe(EVE);
    expect(neurons[0]!.emissionRao).toBe(910002289n);
    expect(neurons[0]!.incentive).toBe(0);
  });

  it('decodes a typed Vec (runtimes whose metadata types the answer) with summed stake, fractions and axon', () => {
    const registry = new TypeRegistry();
    registerNeuronInfoLite(registry);
    const typed = registry.createType('Vec<MinerNeuronInfoLite>', [
      {
        hotkey: EVE,
        coldkey: CHARLIE,
        uid: 7,
        netuid: 1,
        active: true,
        axonInfo: { block: 42, version: 1000, ip: 16909060, port: 8091, ipType: 4, protocol: 4 },
        stake: [
          [CHARLIE, 1_500_000_000],
          [BOB, 500_000_000],
        ],
        emission: 123,
        incentive: 65535,
        dividends: 32768,
        lastUpdate: 9,
        validatorPermit: false,
      },
    ]);
    const [n] = decodeNeuronsLite({ registry }, typed);
    expect(n).toMatchObject({ uid: 7, hotkey: EVE, stakeRao: 2_000_000_000n, stake: 2, incentive: 1, emissionRao: 123n, lastUpdate: 9 });
    expect(n!.dividends).toBeCloseTo(0.5, 4);
    expect(n!.axon).toEqual({ ip: '1.2.3.4', port: 8091, ipType: 4, protocol: 4, version: 1000, block: 42 });
  });

  it('refuses bytes whose layout does not match instead of returning garbage', () => {
    const registry = new TypeRegistry();
    const raw = registry.createType('Bytes', RECORDED.slice(0, RECORDED.length - 20));
    expect(() => decodeNeuronsLite({ registry }, raw)).toThrow();
  });

  it('strips only a compact length prefix that spans exactly the rest', () => {
    expect([...stripLengthPrefixes(Uint8Array.from([8, 1, 2]))]).toEqual([1, 2]);
    expect([...stripLengthPrefixes(Uint8Array.from([4, 1, 2]))]).toEqual([4, 1, 2]);
  });
});
