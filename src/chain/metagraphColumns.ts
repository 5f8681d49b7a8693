import type { AxonInfo, NeuronInfo } from './metagraphTypes.js';
import { big, bool, field, num, str, at as elementAt } from './codecValues.js';
import { decodeIp } from './ipEncoding.js';

const U16_MAX = 65535;
const RAO_PER_UNIT = 1e9;

/** An Option codec's value, or the value itself when it is no Option; undefined for None. */
export function unwrapOpt(v: unknown): unknown {
  const o = v as { isNone?: boolean; isSome?: boolean; unwrap?: () => unknown } | undefined | null;
  if (o === undefined || o === null || o.isNone === true) return undefined;
  return o.isSome === true && o.unwrap ? o.unwrap() : v;
}

export function axonFrom(v: unknown): AxonInfo | null {
  const a = unwrapOpt(v);
  if (a === undefined) return null;
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

export function frac(v: unknown): number {
  return num(v) / U16_MAX;
}

/** Per-uid vectors of one subnet (index = uid), as the storage maps and metagraph APIs give them. */
export interface UidVectors {
  active: ArrayLike<unknown>;
  validatorPermit: ArrayLike<unknown>;
  rank: ArrayLike<unknown>;
  trust: ArrayLike<unknown>;
  consensus: ArrayLike<unknown>;
  incentive: ArrayLike<unknown>;
  dividends: ArrayLike<unknown>;
  emission: ArrayLike<unknown>;
  lastUpdate: ArrayLike<unknown>;
}

/** Per-neuron values, aligned with `uids` (one entry per registered uid). */
export interface NeuronColumns {
  uids: ReadonlyArray<{ uid: number; hotkey: string }>;
  coldkeys: ArrayLike<unknown>;
  stakes: ArrayLike<unknown>;
  axons: ArrayLike<unknown>;
}

/**
 * Assembles NeuronInfo from decoded chain values. Every read path ends here, so a field means
 * the same whatever the runtime offered; a missing element reads as zero, never throws.
 */
export function assembleNeurons(cols: NeuronColumns, v: UidVectors): NeuronInfo[] {
  return cols.uids.map(({ uid, hotkey }, i) => {
    const stakeRao = big(unwrapOpt(elementAt(cols.stakes, i)));
    return {
      uid,
      hotkey,
      coldkey: str(elementAt(cols.coldkeys, i) ?? ''),
      active: bool(elementAt(v.active, uid)),
      validatorPermit: bool(elementAt(v.validatorPermit, uid)),
      stakeRao,
      stake: Number(stakeRao) / RAO_PER_UNIT,
      incentive: frac(elementAt(v.incentive, uid)),
      dividends: frac(elementAt(v.dividends, uid)),
      consensus: frac(elementAt(v.consensus, uid)),
      trust: frac(elementAt(v.trust, uid)),
      rank: frac(elementAt(v.rank, uid)),
      emissionRao: big(elementAt(v.emission, uid)),
      lastUpdate: num(elementAt(v.lastUpdate, uid)),
      axon: axonFrom(elementAt(cols.axons, i)),
    };
  });
}

/** Replaces each neuron's stake (e.g. with its alpha stake on this subnet), aligned with `neurons`. */
export function withStakes(neurons: readonly NeuronInfo[], stakes: ArrayLike<unknown>): NeuronInfo[] {
  return neurons.map((n, i) => {
    const stakeRao = big(unwrapOpt(elementAt(stakes, i)));
    return { ...n, stakeRao, stake: Number(stakeRao) / RAO_PER_UNIT };
  });
}
