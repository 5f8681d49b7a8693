import type { ApiPromise } from '@polkadot/api';
import { compactFromU8a } from '@polkadot/util';
import type { NeuronInfo } from './metagraphTypes.js';
import { assembleNeurons, axonFrom, frac, unwrapOpt, type UidVectors } from './metagraphColumns.js';
import { registerNeuronInfoLite } from './neuronInfoLite.js';
import { big, bool, field, num, str } from './codecValues.js';
import type { ReadPlan } from './readPlan.js';
import type { At } from './storageReader.js';
import { MinerError } from '../util/index.js';

const RAO_PER_UNIT = 1e9;

/**
 * SelectiveMetagraph field indexes (subtensor's SelectiveMetagraphIndex): only what a miner's
 * standing needs is asked for, so a sync does not pull identities, hyperparameters or commitments.
 */
export const SELECTIVE_INDEXES = {
  block: 7,
  tempo: 8,
  immunityPeriod: 36,
  hotkeys: 52,
  coldkeys: 53,
  axons: 55,
  active: 56,
  validatorPermit: 57,
  lastUpdate: 59,
  emission: 60,
  dividends: 61,
  incentives: 62,
  consensus: 63,
  trust: 64,
  rank: 65,
  blockAtRegistration: 66,
  alphaStake: 67,
} as const;

/** A metagraph as the runtime's typed struct gives it (Metagraph or SelectiveMetagraph: every field may be an Option). */
export interface TypedMetagraph {
  neurons: NeuronInfo[];
  block: number | undefined;
  tempo: number | undefined;
}

function list(s: unknown, name: string): ArrayLike<unknown> {
  return (unwrapOpt(field(s, name)) as ArrayLike<unknown> | undefined) ?? [];
}

/** NeuronInfo from a (Selective)Metagraph struct decoded by the runtime's own metadata types. */
export function neuronsFromMetagraph(s: unknown): TypedMetagraph {
  const hotkeys = list(s, 'hotkeys');
  const uids = Array.from({ length: hotkeys.length }, (_x, uid) => ({ uid, hotkey: str(hotkeys[uid]) }));
  const vectors: UidVectors = {
    active: list(s, 'active'),
    validatorPermit: list(s, 'validatorPermit'),
    rank: list(s, 'rank'),
    trust: list(s, 'trust'),
    consensus: list(s, 'consensus'),
    incentive: list(s, 'incentives'),
    dividends: list(s, 'dividends'),
    emission: list(s, 'emission'),
    lastUpdate: list(s, 'lastUpdate'),
  };
  const neurons = assembleNeurons({ uids, coldkeys: list(s, 'coldkeys'), stakes: list(s, 'alphaStake'), axons: list(s, 'axons') }, vectors);
  const block = unwrapOpt(field(s, 'block'));
  const tempo = unwrapOpt(field(s, 'tempo'));
  return { neurons, block: block === undefined ? undefined : num(block), tempo: tempo === undefined ? undefined : num(tempo) };
}

type CallFn = (...args: unknown[]) => Promise<unknown>;

function runtimeCall(atApi: At, api: string, method: string): CallFn | undefined {
  return (atApi.call as unknown as Record<string, Record<string, CallFn | undefined> | undefined>)[api]?.[method];
}

/** get_selective_metagraph / get_metagraph (or their mechagraph forms for mechanism > 0), typed by metadata v15. */
export async function readFromMetagraphApi(atApi: At, plan: ReadPlan, netuid: number, mechanism: number): Promise<TypedMetagraph> {
  const selective = plan.path === 'selective-metagraph';
  const indexes = Object.values(SELECTIVE_INDEXES);
  let fn: CallFn | undefined;
  let args: unknown[];
  if (mechanism > 0) {
    if (plan.mechanisms !== 'api') {
      throw new MinerError(
        'CONFIG_INVALID',
        `chain.mechanism=${mechanism}, but runtime spec ${plan.specVersion} has no mechagraph API; fix: set chain.mechanism to 0`,
      );
    }
    fn = runtimeCall(atApi, 'subnetInfoRuntimeApi', selective ? 'getSelectiveMechagraph' : 'getMechagraph');
    args = selective ? [netuid, mechanism, indexes] : [netuid, mechanism];
  } else {
    fn = runtimeCall(atApi, 'subnetInfoRuntimeApi', selective ? 'getSelectiveMetagraph' : 'getMetagraph');
    args = selective ? [netuid, indexes] : [netuid];
  }
  if (!fn) throw new MinerError('CHAIN_UNAVAILABLE', `runtime spec ${plan.specVersion} lost its ${plan.path} API`);
  const res = unwrapOpt(await fn(...args));
  if (res === undefined) throw new MinerError('CHAIN_UNAVAILABLE', `subnet ${netuid} (mechanism ${mechanism}) does not exist on this chain`);
  return neuronsFromMetagraph(res);
}

function stakeSum(stake: unknown): bigint {
  let total = 0n;
  for (const entry of (stake as Iterable<unknown> | undefined) ?? []) total += big((entry as ArrayLike<unknown>)[1]);
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
    stake: Number(stakeRao) / RAO_PER_UNIT,
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

export async function readFromNeuronsLite(atApi: At, api: ApiPromise, plan: ReadPlan, netuid: number, mechanism: number): Promise<NeuronInfo[]> {
  if (mechanism > 0) {
    throw new MinerError(
      'CONFIG_INVALID',
      `chain.mechanism=${mechanism}, but runtime spec ${plan.specVersion} reads neurons without mechanisms; fix: set chain.mechanism to 0`,
    );
  }
  const fn = runtimeCall(atApi, 'neuronInfoRuntimeApi', 'getNeuronsLite');
  if (!fn) throw new MinerError('CHAIN_UNAVAILABLE', `runtime spec ${plan.specVersion} lost get_neurons_lite`);
  return decodeNeuronsLite(api, await fn(netuid));
}
