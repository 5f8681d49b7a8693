/*
 * The selective-metagraph path end to end against metadata v15 that declares it (spec 218's real
 * metadata plus the newer APIs, see syntheticMetadata.ts): the plan is chosen from the metadata,
 * the arguments encode with the declared input types, and the answer is decoded with the declared
 * output type exactly as api.call decodes it (registry lookup type, camelCase fields), then mapped.
 */
import { describe, expect, it } from 'vitest';
import type { Codec } from '@polkadot/types/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { chooseReadPlan, encodeIp, runtimeFeatures, SELECTIVE_INDEXES } from '../../../src/chain/index.js';
import { readFromMetagraphApi } from '../../../src/chain/runtimeApiReader.js';
import type { At } from '../../../src/chain/storageReader.js';
import { loadSyntheticMetagraphMetadata } from './syntheticMetadata.js';

interface MethodMeta {
  name: { toString(): string };
  inputs: Array<{ type: { toNumber(): number } }>;
  output: { toNumber(): number };
}

describe('get_selective_metagraph typed by metadata v15', () => {
  it('is chosen, called with arguments of the declared types, and its typed answer maps field by field', async () => {
    await cryptoWaitReady();
    const m = await loadSyntheticMetagraphMetadata();
    const plan = chooseReadPlan(runtimeFeatures(m.metadata, m.specVersion));
    expect(plan).toMatchObject({ path: 'selective-metagraph', mechanisms: 'api', alpha: true, price: 'swap-api' });

    const api = m.metadata.asV15.apis.find((a) => a.name.toString() === 'SubnetInfoRuntimeApi')!;
    const method = (api.methods as unknown as MethodMeta[]).find((x) => x.name.toString() === 'get_selective_metagraph')!;
    const type = (id: number): string => m.registry.createLookupType(id);
    const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const ip = encodeIp('10.9.8.7');
    const answer = {
      netuid: 7,
      block: 6_000_000,
      tempo: 99,
      hotkeys: [kr.addFromUri('//Alice').address, kr.addFromUri('//Eve').address],
      coldkeys: [kr.addFromUri('//Bob').address, kr.addFromUri('//Dave').address],
      axons: [{}, { block: 5_999_999, version: 3, ip: ip.ip, port: 9000, ipType: 4, protocol: 4, placeholder1: 0, placeholder2: 0 }],
      active: [true, false],
      validatorPermit: [true, false],
      incentives: [0, 50_000],
      dividends: [60_000, 0],
      emission: [5, 444_444_444_444n],
      alphaStake: [7, 31_000_000_000n],
      lastUpdate: [1, 2],
    };
    const bytes = (m.registry.createType(type(method.output.toNumber()), answer) as Codec).toU8a();
    const calls: unknown[][] = [];
    const at = {
      call: {
        subnetInfoRuntimeApi: {
          getSelectiveMetagraph: async (...args: unknown[]) => {
            calls.push(args);
            // What api.call does with the runtime's bytes: decode them as the method's declared output.
            return m.registry.createType(type(method.output.toNumber()), bytes);
          },
        },
      },
    } as unknown as At;

    const res = await readFromMetagraphApi(at, plan, 7, 0);
    expect(calls).toEqual([[7, Object.values(SELECTIVE_INDEXES)]]);
    calls[0]!.forEach((arg, i) => expect(() => m.registry.createType(type(method.inputs[i]!.type.toNumber()), arg)).not.toThrow());
    expect(res).toMatchObject({ block: 6_000_000, tempo: 99 });
    expect(res.neurons[1]).toEqual({
      uid: 1,
      hotkey: answer.hotkeys[1],
      coldkey: answer.coldkeys[1],
      active: false,
      validatorPermit: false,
      stakeRao: 31_000_000_000n,
      stake: 31,
      incentive: 50_000 / 65535,
      dividends: 0,
      consensus: 0,
      trust: 0,
      rank: 0,
      emissionRao: 444_444_444_444n,
      lastUpdate: 2,
      axon: { ip: '10.9.8.7', port: 9000, ipType: 4, protocol: 4, version: 3, block: 5_999_999 },
    });
    expect(res.neurons[0]).toMatchObject({ validatorPermit: true, dividends: 60_000 / 65535, stakeRao: 7n });
  });
});
