import { standingOf, type MetagraphSnapshot, type NeuronInfo } from '../chain/index.js';

const MS_PER_DAY = 86_400_000;
const RAO_PER_UNIT = 1_000_000_000;

/** Blocks per day at the chain's own block time; null when the runtime states none. */
export function blocksPerDay(blockTimeMs: number | null | undefined): number | null {
  return blockTimeMs && blockTimeMs > 0 ? MS_PER_DAY / blockTimeMs : null;
}

export interface Immunity {
  readonly immune: boolean;
  readonly blocksLeft: number;
}

/** The miner's own standing in one snapshot; pure data, computed without I/O. */
export interface Standing {
  readonly netuid: number;
  readonly block: number;
  readonly tempo: number;
  readonly registered: boolean;
  readonly uid: number | null;
  readonly incentive: number;
  readonly dividends: number;
  readonly emissionPerEpochRao: bigint;
  /** Emission per epoch in emissionUnit: TAO (root, pre-dTAO runtimes) or the subnet's alpha. */
  readonly emissionPerEpoch: number;
  /** Estimate from the chain's block time and the tempo; null when the runtime states no block time. */
  readonly emissionPerDay: number | null;
  readonly emissionUnit: 'TAO' | 'alpha';
  readonly epochsPerDay: number | null;
  /** The block time the per-day figures use (from the runtime's constants). */
  readonly blockTimeMs: number | null;
  /** Stake in stakeUnit (the hotkey's alpha on this subnet on dTAO runtimes). */
  readonly stake: number;
  readonly stakeRao: bigint;
  readonly stakeUnit: 'TAO' | 'alpha';
  /** TAO one alpha is worth now; 1 where amounts are TAO; null when nothing prices alpha. */
  readonly alphaPriceTao: number | null;
  /** Amounts valued in TAO (alpha times its price); null when unpriced. */
  readonly stakeValueTao: number | null;
  readonly emissionPerEpochValueTao: number | null;
  readonly emissionPerDayValueTao: number | null;
  readonly active: boolean;
  readonly validatorPermit: boolean;
  /** 1-based position among the subnet's miners by incentive; null when unregistered. */
  readonly position: number | null;
  readonly minersCount: number;
  readonly immunity: Immunity | null;
}

export function epochsPerDay(tempo: number, blockTimeMs: number | null | undefined): number | null {
  const blocks = blocksPerDay(blockTimeMs);
  return blocks === null ? null : blocks / (tempo + 1);
}

function priceTao(snap: MetagraphSnapshot, unit: 'TAO' | 'alpha'): number | null {
  if (unit === 'TAO') return 1;
  const p = snap.alphaPriceRao;
  return p === undefined || p === null ? null : Number(p) / RAO_PER_UNIT;
}

const times = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a * b);

/** Epoch counter as subtensor schedules it: an epoch runs when (block + netuid + 1) % (tempo + 1) == 0. */
export function epochIndex(block: number, tempo: number, netuid: number): number {
  return Math.floor((block + netuid + 1) / (tempo + 1));
}

/** Immunity as the chain subsystem reads it (registration block + ImmunityPeriod). */
export interface ImmunityInput {
  readonly inImmunity: boolean;
  readonly immuneUntilBlock: number;
}

/** Immunity from what the chain read, else from optional fields a snapshot may carry. */
function immunityOf(snap: MetagraphSnapshot, n: NeuronInfo, given: ImmunityInput | null | undefined): Immunity | null {
  if (given) return { immune: given.inImmunity, blocksLeft: Math.max(0, given.immuneUntilBlock - snap.block) };
  const period = (snap as { immunityPeriod?: unknown }).immunityPeriod;
  const reg = n as { registrationBlock?: unknown; registeredAtBlock?: unknown };
  const at = reg.registrationBlock ?? reg.registeredAtBlock;
  if (typeof period !== 'number' || typeof at !== 'number') return null;
  const blocksLeft = Math.max(0, at + period - snap.block);
  return { immune: blocksLeft > 0, blocksLeft };
}

type StandingBase = Pick<
  Standing,
  'netuid' | 'block' | 'tempo' | 'epochsPerDay' | 'blockTimeMs' | 'emissionUnit' | 'stakeUnit' | 'alphaPriceTao' | 'minersCount'
>;

/** A hotkey without a uid: zero amounts, still null wherever the chain gives no price or block time. */
function unregistered(base: StandingBase, perDay: number | null, price: number | null): Standing {
  return {
    ...base,
    registered: false,
    uid: null,
    incentive: 0,
    dividends: 0,
    emissionPerEpochRao: 0n,
    emissionPerEpoch: 0,
    emissionPerDay: perDay === null ? null : 0,
    stake: 0,
    stakeRao: 0n,
    active: false,
    validatorPermit: false,
    position: null,
    immunity: null,
    stakeValueTao: price === null ? null : 0,
    emissionPerEpochValueTao: price === null ? null : 0,
    emissionPerDayValueTao: price === null || perDay === null ? null : 0,
  };
}

/**
 * The chain subsystem's standingOf decides registration and the position among miners, so the
 * logs and `subnet-miner status` agree; this adds the units and per-day estimates the reports show.
 */
export function computeStanding(
  snap: MetagraphSnapshot,
  hotkey: string,
  opts: { emissionUnit?: 'TAO' | 'alpha'; immunity?: ImmunityInput | null } = {},
): Standing {
  const me = snap.byHotkey(hotkey);
  const chainView = standingOf(snap, hotkey);
  const blockTimeMs = snap.blockTimeMs ?? null;
  const perDay = epochsPerDay(snap.tempo, blockTimeMs);
  const unit = opts.emissionUnit ?? snap.emissionUnit ?? (snap.netuid === 0 ? 'TAO' : 'alpha');
  const stakeUnit = snap.stakeUnit ?? unit;
  const price = priceTao(snap, unit);
  const base: StandingBase = {
    netuid: snap.netuid,
    block: snap.block,
    tempo: snap.tempo,
    epochsPerDay: perDay,
    blockTimeMs,
    emissionUnit: unit,
    stakeUnit,
    alphaPriceTao: price,
    minersCount: chainView.minersCount,
  };
  if (!me) return unregistered(base, perDay, price);
  const perEpoch = Number(me.emissionRao) / RAO_PER_UNIT;
  const emissionPerDay = times(perEpoch, perDay);
  return {
    ...base,
    registered: true,
    uid: me.uid,
    incentive: me.incentive,
    dividends: me.dividends,
    emissionPerEpochRao: me.emissionRao,
    emissionPerEpoch: perEpoch,
    emissionPerDay,
    stake: me.stake,
    stakeRao: me.stakeRao,
    stakeValueTao: times(me.stake, stakeUnit === 'TAO' ? 1 : price),
    emissionPerEpochValueTao: times(perEpoch, price),
    emissionPerDayValueTao: times(emissionPerDay, price),
    active: me.active,
    validatorPermit: me.validatorPermit,
    position: chainView.position,
    immunity: immunityOf(snap, me, opts.immunity),
  };
}
