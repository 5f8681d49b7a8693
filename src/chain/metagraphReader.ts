import type { ApiPromise } from '@polkadot/api';
import { compactFromU8a } from '@polkadot/util';
import type { ApiDecoration } from '@polkadot/api/types';
import type { AxonInfo, NeuronInfo } from './metagraphTypes.js';
import { FrozenMetagraph, type ImmunityInfo } from './metagraphSnapshot.js';
import { registerNeuronInfoLite } from './neuronInfoLite.js';
import { big, bool, field, num, str, at as elementAt } from './codecValues.js';
import { decodeIp } from './ipEncoding.js';
import { MinerError, type Clock } from '../util/index.js';

type At = ApiDecoration<'promise'>;
const U16_MAX = 65535;
const RAO_PER_TAO = 1e9;

/** Which way this runtime's metagraph is read: its runtime API where it has one, else the storage maps. */
export function metagraphSource(api: ApiPromise): 'runtime-api' | 'storage' {
  const call = (api.call as Record<string, Record<string, unknown> | undefined>)['neuronInfoRuntimeApi'];
  return call?.['getNeuronsLite'] ? 'runtime-api' : 'storage';
}

export function axonFrom(v: unknown): AxonInfo | null {
  if (v === undefined || v === null) return null;
  const opt = v as { isNone?: boolean; isSome?: boolean; unwrap?: () => unknown };
  if (opt.isNone === true) return null;
  const a = opt.isSome === true && opt.unwrap ? opt.unwrap() : v;
  const ip = big(field(a, 'ip'));
  const ipType = num(field(a, 'ipType'));
  const block = num(field(a, 'block'));
  if (ip === 0n && block === 0) return null;
  return {
    ip: decodeIp(ip, ipType),
    port: num(field(a, 'port')),
    ipType: ipType === 4 || ipType === 6 ? ipType : 0,
    protocol: num(field(a, 'protocol')),
    version: num(field(a, 'version')),
    block,
  };
}

function frac(v: unknown): number {
  return num(v) / U16_MAX;
}

function stakeSum(stake: unknown): bigint {
  let total = 0n;
  for (const entry of (stake as Iterable<unknown> | undefined) ?? []) total += big(elementAt(entry, 1));
  return total;
}

/** One NeuronInfoLite struct (decoded from Bytes or typed by metadata) as our NeuronInfo. */
export function neuronFromLite(s: unknown): NeuronInfo {
  const stakeRao = stakeSum(field(s, 'stake'));
  return {
    uid: num(field(s, 'uid')),
    hotkey: str(field(s, 'hotkey')),
    coldkey: str(field(s, 'coldkey')),
    active: bool(field(s, 'active')),
    validatorPermit: bool(field(s, 'validatorPermit')),
    stakeRao,
    stake: Number(stakeRao) / RAO_PER_TAO,
    incentive: frac(field(s, 'incentive')),
    dividends: frac(field(s, 'dividends')),
    consensus: frac(field(s, 'consensus')),
    trust: frac(field(s, 'trust')),
    rank: frac(field(s, 'rank')),
    emissionRao: big(field(s, 'emission')),
    lastUpdate: num(field(s, 'lastUpdate')),
    axon: axonFrom(field(s, 'axonInfo')),
  };
}

/**
 * Some runtimes SCALE-encode the already encoded Vec<u8> once more, so the payload starts with a
 * compact length equal to the rest. A Vec<NeuronInfoLite> never does (its prefix counts neurons
 * of 100+ bytes each), so such prefixes are stripped.
 */
export function stripLengthPrefixes(bytes: Uint8Array): Uint8Array {
  let out = bytes;
  for (let i = 0; i < 2 && out.length > 0; i++) {
    const [offset, len] = compactFromU8a(out);
    if (offset + len.toNumber() !== out.length || len.toNumber() === 0) break;
    out = out.subarray(offset);
  }
  return out;
}

/** Decodes get_neurons_lite's answer: raw SCALE Bytes on v15-era runtimes, a typed Vec where metadata describes it. */
export function decodeNeuronsLite(api: ApiPromise | { registry: ApiPromise['registry'] }, raw: unknown): NeuronInfo[] {
  const r = raw as { toRawType?: () => string; toU8a?: (bare?: boolean) => Uint8Array };
  if (r.toRawType?.() === 'Bytes' && r.toU8a) {
    registerNeuronInfoLite(api.registry);
    const bytes = stripLengthPrefixes(r.toU8a(true));
    const vec = api.registry.createType('Vec<MinerNeuronInfoLite>', bytes);
    if (vec.encodedLength !== bytes.length) {
      throw new MinerError('INTERNAL', `NeuronInfoLite decoding used ${vec.encodedLength} of ${bytes.length} bytes: runtime layout differs`);
    }
    return [...(vec as unknown as Iterable<unknown>)].map(neuronFromLite);
  }
  return [...(raw as Iterable<unknown>)].map(neuronFromLite);
}

type Query = Record<string, ((...args: unknown[]) => Promise<unknown>) & { multi: (keys: unknown[]) => Promise<unknown[]>; entries: (...args: unknown[]) => Promise<Array<[{ args: unknown[] }, unknown]>> }>;

function sm(atApi: At): Query {
  const q = (atApi.query as unknown as Record<string, Query | undefined>)['subtensorModule'];
  if (!q) throw new MinerError('CHAIN_UNAVAILABLE', 'runtime has no SubtensorModule');
  return q;
}

const VECTORS = ['active', 'validatorPermit', 'rank', 'trust', 'consensus', 'incentive', 'dividends', 'emission', 'lastUpdate'] as const;

/** The storage maps, all read at one block; per-hotkey maps batched with .multi (one round trip each). */
async function readFromStorage(atApi: At, netuid: number): Promise<NeuronInfo[]> {
  const q = sm(atApi);
  const [keyEntries, ...vectors] = await Promise.all([
    q['keys']!.entries(netuid),
    ...VECTORS.map((k) => (q[k] ? q[k](netuid) : Promise.resolve([]))),
  ]);
  const v = Object.fromEntries(VECTORS.map((k, i) => [k, vectors[i] as ArrayLike<unknown>])) as Record<(typeof VECTORS)[number], ArrayLike<unknown>>;
  const uidHotkeys = keyEntries.map(([key, value]) => ({ uid: num(key.args[1]), hotkey: str(value) }));
  const hotkeys = uidHotkeys.map((x) => x.hotkey);
  const stakeQuery = q['totalHotkeyStake']
    ? q['totalHotkeyStake'].multi(hotkeys)
    : q['totalHotkeyAlpha']
      ? q['totalHotkeyAlpha'].multi(hotkeys.map((h) => [h, netuid]))
      : Promise.resolve(hotkeys.map(() => 0n));
  const [owners, stakes, axons] = await Promise.all([
    q['owner']!.multi(hotkeys),
    stakeQuery,
    q['axons'] ? q['axons'].multi(hotkeys.map((h) => [netuid, h])) : Promise.resolve(hotkeys.map(() => null)),
  ]);
  return uidHotkeys.map(({ uid, hotkey }, i) => {
    const stakeRao = big(stakes[i]);
    return {
      uid, hotkey, coldkey: str(owners[i]),
      active: bool(elementAt(v.active, uid)),
      validatorPermit: bool(elementAt(v.validatorPermit, uid)),
      stakeRao, stake: Number(stakeRao) / RAO_PER_TAO,
      incentive: frac(elementAt(v.incentive, uid)),
      dividends: frac(elementAt(v.dividends, uid)),
      consensus: frac(elementAt(v.consensus, uid)),
      trust: frac(elementAt(v.trust, uid)),
      rank: frac(elementAt(v.rank, uid)),
      emissionRao: big(elementAt(v.emission, uid)),
      lastUpdate: num(elementAt(v.lastUpdate, uid)),
      axon: axonFrom(axons[i]),
    };
  });
}

async function readFromRuntimeApi(atApi: At, api: ApiPromise, netuid: number): Promise<NeuronInfo[]> {
  const call = (atApi.call as unknown as Record<string, Record<string, (n: number) => Promise<unknown>>>)['neuronInfoRuntimeApi']!;
  return decodeNeuronsLite(api, await call['getNeuronsLite']!(netuid));
}

/** Reads a whole-subnet snapshot at the current best block (every read at that one block). */
export async function readMetagraph(api: ApiPromise, netuid: number, clock: Clock, blockHash?: string): Promise<FrozenMetagraph> {
  const header = blockHash ? await api.rpc.chain.getHeader(blockHash) : await api.rpc.chain.getHeader();
  const hash = header.hash.toHex();
  const atApi = await api.at(hash);
  const q = sm(atApi);
  const source = metagraphSource(api);
  const [added, neurons, tempo] = await Promise.all([
    q['networksAdded'] ? q['networksAdded'](netuid).then(bool) : Promise.resolve(true),
    source === 'runtime-api' ? readFromRuntimeApi(atApi, api, netuid) : readFromStorage(atApi, netuid),
    q['tempo'] ? q['tempo'](netuid).then(num) : Promise.resolve(0),
  ]);
  if (!added) throw new MinerError('CHAIN_UNAVAILABLE', `subnet ${netuid} does not exist on this chain`);
  // Dynamic-TAO runtimes keep per-subnet alpha pools; emission there is paid in alpha.
  const emissionUnit = q['subnetAlphaIn'] ? 'alpha' : 'TAO';
  return new FrozenMetagraph({
    netuid, block: header.number.toNumber(), blockHash: hash, tempo, syncedAtMs: clock.now(), source, emissionUnit, neurons,
  });
}

/** Registration block and immunity period of one uid, where the runtime keeps them. */
export async function readImmunity(api: ApiPromise, netuid: number, uid: number, block: number, blockHash?: string): Promise<ImmunityInfo | null> {
  const atApi = blockHash ? await api.at(blockHash) : api;
  const q = (atApi.query as unknown as Record<string, Query | undefined>)['subtensorModule'];
  if (!q?.['blockAtRegistration'] || !q['immunityPeriod']) return null;
  const [reg, period] = await Promise.all([q['blockAtRegistration'](netuid, uid), q['immunityPeriod'](netuid)]);
  const registeredAtBlock = num(reg);
  const immunityPeriod = num(period);
  const immuneUntilBlock = registeredAtBlock + immunityPeriod;
  return { registeredAtBlock, immunityPeriod, immuneUntilBlock, inImmunity: block < immuneUntilBlock };
}
