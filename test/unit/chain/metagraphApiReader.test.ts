/*
 * The get_selective_metagraph / get_metagraph paths. No metadata here declares them (spec 448's is
 * not available), so the answer is typed by a registry that mirrors subtensor's structs field for
 * field (camelCase, as metadata-derived types name them), decoded from SCALE bytes the way
 * api.call decodes a v15 runtime API's output, and handed to the reader through a stub api.call.
 */
import { describe, expect, it } from 'vitest';
import { TypeRegistry } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { encodeIp, SELECTIVE_INDEXES, type ReadPlan } from '../../../src/chain/index.js';
import { readFromMetagraphApi } from '../../../src/chain/runtimeApiReader.js';
import type { At } from '../../../src/chain/storageReader.js';

const AXON = { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ipType: 'u8', protocol: 'u8', placeholder1: 'u8', placeholder2: 'u8' };
const COLUMNS = {
  hotkeys: 'Vec<AccountId32>',
  coldkeys: 'Vec<AccountId32>',
  axons: 'Vec<TestAxonInfo>',
  active: 'Vec<bool>',
  validatorPermit: 'Vec<bool>',
  lastUpdate: 'Vec<Compact<u64>>',
  emission: 'Vec<Compact<u64>>',
  dividends: 'Vec<Compact<u16>>',
  incentives: 'Vec<Compact<u16>>',
  consensus: 'Vec<Compact<u16>>',
  trust: 'Vec<Compact<u16>>',
  rank: 'Vec<Compact<u16>>',
  blockAtRegistration: 'Vec<Compact<u64>>',
  alphaStake: 'Vec<Compact<u64>>',
  taoStake: 'Vec<Compact<u64>>',
};
const HEAD = { netuid: 'Compact<u16>', name: 'Vec<Compact<u8>>', block: 'Compact<u64>', tempo: 'Compact<u16>' };
const opt = (o: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, t]) => [k, `Option<${t}>`]));

function registry(): TypeRegistry {
  const r = new TypeRegistry();
  r.register({ TestAxonInfo: AXON, TestMetagraph: { ...HEAD, ...COLUMNS }, TestSelectiveMetagraph: opt({ ...HEAD, ...COLUMNS }) });
  return r;
}

const plan = (path: ReadPlan['path'], mechanisms: ReadPlan['mechanisms']): ReadPlan => ({
  specVersion: 448,
  path,
  mechanisms,
  alpha: true,
  price: 'swap-api',
  blockTimeMs: 12_000,
  blockTimeSource: 'Babe.ExpectedBlockTime',
});

async function value(): Promise<Record<string, unknown>> {
  await cryptoWaitReady();
  const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const ip = encodeIp('2001:db8::5');
  return {
    netuid: 7,
    name: [65],
    block: 5_000_123,
    tempo: 360,
    hotkeys: ['//Alice', '//Eve'].map((u) => kr.addFromUri(u).address),
    coldkeys: ['//Bob', '//Dave'].map((u) => kr.addFromUri(u).address),
    axons: [{}, { block: 4_999_000, version: 9, ip: ip.ip, port: 443, ipType: 6, protocol: 4, placeholder1: 0, placeholder2: 0 }],
    active: [true, true],
    validatorPermit: [true, false],
    lastUpdate: [5_000_000, 4_000_000],
    emission: [1, 555_000_000_001n],
    dividends: [65_535, 0],
    incentives: [0, 32_768],
    consensus: [1, 2],
    trust: [3, 4],
    rank: [5, 6],
    blockAtRegistration: [10, 20],
    alphaStake: [9_000_000_000_000n, 250_000_000_000n],
    taoStake: [1, 1],
  };
}

/** A stub of api.at(...).call: answers one method with bytes decoded by the given type, recording the arguments. */
function stubAt(r: TypeRegistry, method: string, type: string, v: unknown, calls: unknown[][]): At {
  const bytes = (r.createType(type, v) as Codec).toU8a();
  return {
    call: {
      subnetInfoRuntimeApi: {
        [method]: async (...args: unknown[]) => {
          calls.push(args);
          return r.createType(`Option<${type}>`, r.createType(type, bytes));
        },
      },
    },
  } as unknown as At;
}

describe('metagraph runtime APIs (typed answers)', () => {
  it('get_selective_metagraph: asks only for the standing columns and maps each one', async () => {
    const r = registry();
    const v = await value();
    const calls: unknown[][] = [];
    const at = stubAt(r, 'getSelectiveMetagraph', 'TestSelectiveMetagraph', v, calls);
    const m = await readFromMetagraphApi(at, plan('selective-metagraph', 'api'), 7, 0);
    expect(calls).toEqual([[7, Object.values(SELECTIVE_INDEXES)]]);
    expect(m.block).toBe(5_000_123);
    expect(m.tempo).toBe(360);
    expect(m.neurons).toHaveLength(2);
    expect(m.neurons[1]).toEqual({
      uid: 1,
      hotkey: (v['hotkeys'] as string[])[1],
      coldkey: (v['coldkeys'] as string[])[1],
      active: true,
      validatorPermit: false,
      stakeRao: 250_000_000_000n,
      stake: 250,
      incentive: 32_768 / 65535,
      dividends: 0,
      consensus: 2 / 65535,
      trust: 4 / 65535,
      rank: 6 / 65535,
      emissionRao: 555_000_000_001n,
      lastUpdate: 4_000_000,
      axon: { ip: '2001:db8::5', port: 443, ipType: 6, protocol: 4, version: 9, block: 4_999_000 },
    });
    expect(m.neurons[0]).toMatchObject({ validatorPermit: true, dividends: 1, stakeRao: 9_000_000_000_000n, axon: null });
  });

  it('a selective answer that left a column out reads as zeros, never throws', async () => {
    const r = registry();
    const v = { ...(await value()), incentives: undefined, axons: undefined };
    const m = await readFromMetagraphApi(stubAt(r, 'getSelectiveMetagraph', 'TestSelectiveMetagraph', v, []), plan('selective-metagraph', 'api'), 7, 0);
    expect(m.neurons.map((n) => [n.incentive, n.axon])).toEqual([
      [0, null],
      [0, null],
    ]);
  });

  it('get_metagraph (whole struct) and the mechagraph forms for mechanism > 0', async () => {
    const r = registry();
    const v = await value();
    const calls: unknown[][] = [];
    const whole = await readFromMetagraphApi(stubAt(r, 'getMetagraph', 'TestMetagraph', v, calls), plan('metagraph', null), 7, 0);
    expect(whole.neurons[1]?.emissionRao).toBe(555_000_000_001n);
    expect(calls).toEqual([[7]]);
    const mech: unknown[][] = [];
    await readFromMetagraphApi(stubAt(r, 'getSelectiveMechagraph', 'TestSelectiveMetagraph', v, mech), plan('selective-metagraph', 'api'), 7, 2);
    expect(mech).toEqual([[7, 2, Object.values(SELECTIVE_INDEXES)]]);
    await expect(readFromMetagraphApi(stubAt(r, 'getMetagraph', 'TestMetagraph', v, []), plan('metagraph', null), 7, 1)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('a subnet the runtime does not know (None) is CHAIN_UNAVAILABLE', async () => {
    const at = {
      call: { subnetInfoRuntimeApi: { getSelectiveMetagraph: async () => registry().createType('Option<TestSelectiveMetagraph>', null) } },
    } as unknown as At;
    await expect(readFromMetagraphApi(at, plan('selective-metagraph', 'api'), 99, 0)).rejects.toMatchObject({ code: 'CHAIN_UNAVAILABLE' });
  });
});
