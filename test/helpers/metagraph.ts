import { FrozenMetagraph, type SnapshotInit } from '../../src/chain/index.js';
import type { NeuronInfo } from '../../src/chain/metagraphTypes.js';

/** A registered, active neuron with zero stake and standing unless `over` says otherwise. */
export function neuron(uid: number, over: Partial<NeuronInfo> = {}): NeuronInfo {
  return {
    uid,
    hotkey: `hk${uid}`,
    coldkey: `ck${uid}`,
    active: true,
    validatorPermit: false,
    stakeRao: 0n,
    stake: 0,
    incentive: 0,
    dividends: 0,
    consensus: 0,
    trust: 0,
    rank: 0,
    emissionRao: 0n,
    lastUpdate: 0,
    axon: null,
    ...over,
  };
}

/** The snapshot the chain client would publish for these neurons (netuid 1, block 100). */
export function snapshotOf(neurons: NeuronInfo[], over: Partial<SnapshotInit> = {}): FrozenMetagraph {
  return new FrozenMetagraph({ netuid: 1, block: 100, tempo: 99, syncedAtMs: 1_700_000_000_000, source: 'storage', ...over, neurons });
}
