import { standingOf, type MetagraphSnapshot, type NeuronInfo } from '../chain/index.js';

/** Blocks per day at 12 s per block. */
export const BLOCKS_PER_DAY = 7_200;
const RAO_PER_UNIT = 1_000_000_000;

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
  /** Emission per epoch in TAO (root) or alpha (dynamic subnets). */
  readonly emissionPerEpoch: number;
  readonly emissionPerDay: number;
  readonly emissionUnit: 'TAO' | 'alpha';
  readonly epochsPerDay: number;
  readonly stake: number;
  readonly stakeRao: bigint;
  readonly active: boolean;
  readonly validatorPermit: boolean;
  /** 1-based position among the subnet's miners by incentive; null when unregistered. */
  readonly position: number | null;
  readonly minersCount: number;
  readonly immunity: Immunity | null;
}

export function epochsPerDay(tempo: number): number {
  return BLOCKS_PER_DAY / (tempo + 1);
}

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
  const reg = (n as { registrationBlock?: unknown; registeredAtBlock?: unknown });
  const at = reg.registrationBlock ?? reg.registeredAtBlock;
  if (typeof period !== 'number' || typeof at !== 'number') return null;
  const blocksLeft = Math.max(0, at + period - snap.block);
  return { immune: blocksLeft > 0, blocksLeft };
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
  const perDay = epochsPerDay(snap.tempo);
  const unit = opts.emissionUnit ?? snap.emissionUnit ?? (snap.netuid === 0 ? 'TAO' : 'alpha');
  const base = { netuid: snap.netuid, block: snap.block, tempo: snap.tempo, epochsPerDay: perDay, emissionUnit: unit, minersCount: chainView.minersCount };
  if (!me) {
    return {
      ...base, registered: false, uid: null, incentive: 0, dividends: 0, emissionPerEpochRao: 0n, emissionPerEpoch: 0,
      emissionPerDay: 0, stake: 0, stakeRao: 0n, active: false, validatorPermit: false, position: null, immunity: null,
    };
  }
  const perEpoch = Number(me.emissionRao) / RAO_PER_UNIT;
  return {
    ...base,
    registered: true,
    uid: me.uid,
    incentive: me.incentive,
    dividends: me.dividends,
    emissionPerEpochRao: me.emissionRao,
    emissionPerEpoch: perEpoch,
    emissionPerDay: perEpoch * perDay,
    stake: me.stake,
    stakeRao: me.stakeRao,
    active: me.active,
    validatorPermit: me.validatorPermit,
    position: chainView.position,
    immunity: immunityOf(snap, me, opts.immunity),
  };
}
