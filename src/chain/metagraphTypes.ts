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
  /** How it was read: 'runtime-api' or 'storage'. */
  readonly source: 'runtime-api' | 'storage';
  /** What emission is paid in: alpha on dynamic-TAO runtimes (subnet pools exist), TAO before. */
  readonly emissionUnit?: 'TAO' | 'alpha';
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
