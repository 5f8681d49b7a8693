import type { ReadPath } from './readPlan.js';

export type AmountUnit = 'TAO' | 'alpha';

/** What the rest of the daemon may know about the subnet: immutable, swapped whole on each sync. */
export interface AxonInfo {
  readonly ip: string;
  readonly port: number;
  readonly ipType: 4 | 6 | 0;
  readonly protocol: number;
  readonly version: number;
  readonly block: number;
}

export interface NeuronInfo {
  readonly uid: number;
  readonly hotkey: string;
  readonly coldkey: string;
  readonly active: boolean;
  readonly validatorPermit: boolean;
  /** Stake in rao (1e9 rao = 1 TAO or 1 alpha). */
  readonly stakeRao: bigint;
  /** Stake in TAO (or alpha), for comparisons and priority. */
  readonly stake: number;
  /** Fractions in [0, 1] (u16 / 65535). */
  readonly incentive: number;
  readonly dividends: number;
  readonly consensus: number;
  readonly trust: number;
  readonly rank: number;
  /** Emission in rao per epoch. */
  readonly emissionRao: bigint;
  readonly lastUpdate: number;
  readonly axon: AxonInfo | null;
}

export interface MetagraphSnapshot {
  readonly netuid: number;
  readonly block: number;
  readonly tempo: number;
  readonly n: number;
  /** Clock.now() when this snapshot was taken. */
  readonly syncedAtMs: number;
  /** How it was read: the runtime's best metagraph path (see ReadPath). */
  readonly source: ReadPath;
  /** Runtime spec_version the snapshot was read from. */
  readonly specVersion?: number;
  /** The subnet mechanism read (0 unless configured). */
  readonly mechanism?: number;
  /** What emission is paid in: the subnet's alpha on dTAO runtimes (except root), TAO before. */
  readonly emissionUnit?: AmountUnit;
  /** What stakeRao counts: the hotkey's alpha on this subnet on dTAO runtimes, TAO before. */
  readonly stakeUnit?: AmountUnit;
  /** TAO (rao) one alpha is worth at this block; null where the runtime has no alpha or no price. */
  readonly alphaPriceRao?: bigint | null;
  /** Block time from the runtime's constants (BABE/Aura/Timestamp); null when it states none. */
  readonly blockTimeMs?: number | null;
  readonly neurons: readonly NeuronInfo[];
  byHotkey(hotkey: string): NeuronInfo | undefined;
}

/** Read side of metagraph sync, handed to the axon, the monitor and the validator. */
export interface MetagraphSource {
  /** The last good snapshot, or undefined before the first sync. */
  current(): MetagraphSnapshot | undefined;
  /** Called after each successful sync; returns an unsubscribe function. */
  onUpdate(listener: (snap: MetagraphSnapshot) => void): () => void;
}
