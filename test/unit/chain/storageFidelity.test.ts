/* The storage items the reader uses, encoded with each real runtime's registry and decoded the way @polkadot/api does. */
import { describe, expect, it } from 'vitest';
import { expandMetadata } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { STORAGE_ITEMS, assembleNeurons, chooseReadPlan, encodeIp, runtimeFeatures } from '../../../src/chain/index.js';
import { loadDevnetMetadata, loadMetadataJson, type LoadedMetadata } from './realMetadata.js';

interface EntryMeta {
  modifier: { isOptional: boolean };
  type: { isMap: boolean; asMap: { value: { toNumber(): number } }; asPlain: { toNumber(): number } };
}
type Entry = ((...args: unknown[]) => Uint8Array) & { meta: EntryMeta };

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** Encodes `value` as the runtime stores item `name`, then decodes those bytes as the API would (Option for OptionQuery items). */
function roundTrip(m: LoadedMetadata, name: string, value: unknown): Codec {
  const entry = (expandMetadata(m.registry, m.metadata).query['subtensorModule'] as unknown as Record<string, Entry>)[lowerFirst(name)];
  if (!entry) throw new Error(`${name} missing from spec ${m.specVersion}`);
  const id = entry.meta.type.isMap ? entry.meta.type.asMap.value.toNumber() : entry.meta.type.asPlain.toNumber();
  const type = m.registry.createLookupType(id);
  const bytes = (m.registry.createType(type, value) as Codec).toU8a();
  const decoded = m.registry.createType(type, bytes) as Codec;
  return entry.meta.modifier.isOptional ? (m.registry.createType(`Option<${type}>`, decoded) as Codec) : decoded;
}

const sources: Array<[string, () => Promise<LoadedMetadata>]> = [
  ['finney spec 219', async () => loadMetadataJson('finney-spec219')],
  ['testnet spec 224', async () => loadMetadataJson('testnet-spec224')],
  ['devnet spec 103', () => loadDevnetMetadata(103)],
  ['devnet spec 218', () => loadDevnetMetadata(218)],
];

describe.each(sources)('storage items the reader uses, %s', (_label, loadIt) => {
  it('decode to exactly the values encoded, through the same assembly as a live read', async () => {
    await cryptoWaitReady();
    const m = await loadIt();
    const plan = chooseReadPlan(runtimeFeatures(m.metadata, m.specVersion));
    const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const hot = ['//Alice', '//Bob', '//Eve'].map((u) => kr.addFromUri(u).address);
    const cold = ['//Charlie', '//Dave', '//Ferdie'].map((u) => kr.addFromUri(u).address);
    const ip = encodeIp('10.1.2.3');
    const axon = { block: 777, version: 1_002_003, ip: ip.ip, port: 8091, ipType: 4, protocol: 4, placeholder1: 0, placeholder2: 0 };
    const stakeItem = plan.alpha ? STORAGE_ITEMS.stakeAlpha : STORAGE_ITEMS.stakeTao;
    const vec = (name: string, v: unknown[]): ArrayLike<unknown> => roundTrip(m, name, v) as unknown as ArrayLike<unknown>;
    const neurons = assembleNeurons(
      {
        uids: hot.map((h, uid) => ({ uid, hotkey: roundTrip(m, 'Keys', h).toString() })),
        coldkeys: cold.map((c) => roundTrip(m, 'Owner', c)),
        stakes: [0n, 5_000_000_000_000n, 123_456_789_012n].map((s) => roundTrip(m, stakeItem, s)),
        axons: [null, null, roundTrip(m, 'Axons', axon)],
      },
      {
        active: vec('Active', [true, true, false]),
        validatorPermit: vec('ValidatorPermit', [false, true, false]),
        rank: vec('Rank', [0, 1, 2]),
        trust: vec('Trust', [0, 3, 4]),
        consensus: vec('Consensus', [0, 5, 6]),
        incentive: vec('Incentive', [0, 0, 40_000]),
        dividends: vec('Dividends', [0, 65_535, 7]),
        emission: vec('Emission', [0, 1, 987_654_321_987n]),
        lastUpdate: vec('LastUpdate', [0, 10, 4_294_967_296]),
      },
    );
    expect(neurons[2]).toEqual({
      uid: 2,
      hotkey: hot[2],
      coldkey: cold[2],
      active: false,
      validatorPermit: false,
      stakeRao: 123_456_789_012n,
      stake: 123.456789012,
      incentive: 40_000 / 65535,
      dividends: 7 / 65535,
      consensus: 6 / 65535,
      trust: 4 / 65535,
      rank: 2 / 65535,
      emissionRao: 987_654_321_987n,
      lastUpdate: 4_294_967_296,
      axon: { ip: '10.1.2.3', port: 8091, ipType: 4, protocol: 4, version: 1_002_003, block: 777 },
    });
    expect(neurons[1]).toMatchObject({ validatorPermit: true, dividends: 1, stakeRao: 5_000_000_000_000n, axon: null });
    for (const item of STORAGE_ITEMS.subnet) roundTrip(m, item, 1);
    if (plan.price === 'pool-reserves') {
      for (const item of STORAGE_ITEMS.pool) expect(roundTrip(m, item, 4_000_000_000n).toString()).toBe('4000000000');
    }
  });
});
