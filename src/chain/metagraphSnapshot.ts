import type { AmountUnit, MetagraphSnapshot, NeuronInfo } from './metagraphTypes.js';
import type { ReadPath } from './readPlan.js';

export interface SnapshotInit {
  netuid: number;
  block: number;
  blockHash?: string;
  tempo: number;
  syncedAtMs: number;
  source: ReadPath;
  specVersion?: number;
  mechanism?: number;
  emissionUnit?: AmountUnit;
  stakeUnit?: AmountUnit;
  alphaPriceRao?: bigint | null;
  blockTimeMs?: number | null;
  neurons: readonly NeuronInfo[];
}

/** One block's view of a subnet, frozen: readers can keep it while a newer one replaces it. */
export class FrozenMetagraph implements MetagraphSnapshot {
  readonly netuid: number;
  readonly block: number;
  readonly blockHash: string | undefined;
  readonly tempo: number;
  readonly n: number;
  readonly syncedAtMs: number;
  readonly source: ReadPath;
  readonly specVersion: number | undefined;
  readonly mechanism: number;
  readonly emissionUnit: AmountUnit | undefined;
  readonly stakeUnit: AmountUnit | undefined;
  readonly alphaPriceRao: bigint | null;
  readonly blockTimeMs: number | null;
  readonly neurons: readonly NeuronInfo[];
  private readonly index: ReadonlyMap<string, NeuronInfo>;

  constructor(init: SnapshotInit) {
    this.netuid = init.netuid;
    this.block = init.block;
    this.blockHash = init.blockHash;
    this.tempo = init.tempo;
    this.syncedAtMs = init.syncedAtMs;
    this.source = init.source;
    this.specVersion = init.specVersion;
    this.mechanism = init.mechanism ?? 0;
    this.emissionUnit = init.emissionUnit;
    this.stakeUnit = init.stakeUnit;
    this.alphaPriceRao = init.alphaPriceRao ?? null;
    this.blockTimeMs = init.blockTimeMs ?? null;
    const sorted = [...init.neurons].sort((a, b) => a.uid - b.uid);
    this.neurons = Object.freeze(sorted.map((n) => Object.freeze({ ...n, axon: n.axon ? Object.freeze({ ...n.axon }) : null })));
    this.n = this.neurons.length;
    this.index = new Map(this.neurons.map((n) => [n.hotkey, n]));
    Object.freeze(this);
  }

  byHotkey(hotkey: string): NeuronInfo | undefined {
    return this.index.get(hotkey);
  }

  byUid(uid: number): NeuronInfo | undefined {
    const n = this.neurons[uid];
    return n?.uid === uid ? n : this.neurons.find((x) => x.uid === uid);
  }
}

export interface ImmunityInfo {
  /** Block at which the uid was registered. */
  registeredAtBlock: number;
  immunityPeriod: number;
  /** First block at which the neuron can be pruned. */
  immuneUntilBlock: number;
  inImmunity: boolean;
}

export interface Standing {
  readonly registered: boolean;
  readonly hotkey: string;
  readonly block: number;
  readonly uid: number | null;
  readonly incentive: number;
  readonly emissionRao: bigint;
  readonly stake: number;
  readonly stakeRao: bigint;
  readonly dividends: number;
  readonly trust: number;
  readonly consensus: number;
  readonly rank: number;
  readonly validatorPermit: boolean;
  /** 1-based rank among the subnet's miners (uids without validator permit, plus this one) by incentive; null when not registered. */
  readonly position: number | null;
  readonly minersCount: number;
  readonly immunity: ImmunityInfo | null;
}

/** A neuron counts as a miner when it holds no validator permit. */
export function isMinerNeuron(n: NeuronInfo): boolean {
  return !n.validatorPermit;
}

/**
 * The standing of `hotkey` in a snapshot. Ties share the better position (competition
 * ranking: 1, 2, 2, 4), so a position never depends on uid order.
 */
export function standingOf(snap: MetagraphSnapshot, hotkey: string, immunity: ImmunityInfo | null = null): Standing {
  const me = snap.byHotkey(hotkey);
  const miners = snap.neurons.filter((n) => isMinerNeuron(n) || n.hotkey === hotkey);
  if (!me) {
    return {
      registered: false,
      hotkey,
      block: snap.block,
      uid: null,
      incentive: 0,
      emissionRao: 0n,
      stake: 0,
      stakeRao: 0n,
      dividends: 0,
      trust: 0,
      consensus: 0,
      rank: 0,
      validatorPermit: false,
      position: null,
      minersCount: miners.length,
      immunity: null,
    };
  }
  const ahead = miners.filter((n) => n.hotkey !== hotkey && n.incentive > me.incentive).length;
  return {
    registered: true,
    hotkey,
    block: snap.block,
    uid: me.uid,
    incentive: me.incentive,
    emissionRao: me.emissionRao,
    stake: me.stake,
    stakeRao: me.stakeRao,
    dividends: me.dividends,
    trust: me.trust,
    consensus: me.consensus,
    rank: me.rank,
    validatorPermit: me.validatorPermit,
    position: ahead + 1,
    minersCount: miners.length,
    immunity,
  };
}
