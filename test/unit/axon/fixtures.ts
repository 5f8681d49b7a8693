import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { MetagraphSnapshot, MetagraphSource, NeuronInfo } from '../../../src/chain/metagraphTypes.js';
import { neuron as baseNeuron } from '../../helpers/metagraph.js';
import { systemClock, silentLogger, type Clock, type CoreModules } from '../../../src/util/index.js';
import { axonSchema } from '../../../src/config/sections/axon.js';
import type { AxonConfig } from '../../../src/config/index.js';

export async function keys(): Promise<Record<'alice' | 'bob' | 'charlie' | 'dave' | 'eve' | 'ferdie', KeyringPair>> {
  await cryptoWaitReady();
  const k = new Keyring({ type: 'sr25519' });
  return {
    alice: k.addFromUri('//Alice'),
    bob: k.addFromUri('//Bob'),
    charlie: k.addFromUri('//Charlie'),
    dave: k.addFromUri('//Dave'),
    eve: k.addFromUri('//Eve'),
    ferdie: k.addFromUri('//Ferdie'),
  };
}

export function neuron(uid: number, hotkey: string, stake: number, validatorPermit: boolean): NeuronInfo {
  return baseNeuron(uid, { hotkey, coldkey: hotkey, validatorPermit, stakeRao: BigInt(Math.round(stake * 1e9)), stake });
}

/** A metagraph that never changes unless told: tests build exactly the subnet they need. */
export class StaticMetagraph implements MetagraphSource {
  private snap: MetagraphSnapshot | undefined;
  private readonly listeners = new Set<(s: MetagraphSnapshot) => void>();

  constructor(neurons: NeuronInfo[] | undefined, clock: Clock = systemClock()) {
    if (neurons) this.set(neurons, clock);
  }

  set(neurons: NeuronInfo[], clock: Clock = systemClock()): void {
    const map = new Map(neurons.map((n) => [n.hotkey, n]));
    this.snap = {
      netuid: 1,
      block: 1,
      tempo: 360,
      n: neurons.length,
      syncedAtMs: clock.now(),
      source: 'storage',
      neurons,
      byHotkey: (h) => map.get(h),
    };
    for (const l of this.listeners) l(this.snap);
  }

  current(): MetagraphSnapshot | undefined {
    return this.snap;
  }

  onUpdate(listener: (s: MetagraphSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function axonConfig(overrides: Partial<AxonConfig> = {}): AxonConfig {
  return { ...axonSchema.parse({}), host: '127.0.0.1', port: 0, ...overrides };
}

/** Modules without metrics; a test that reads metrics passes its own part of `createMinerMetrics`. */
export function coreModules(clock: Clock = systemClock()): CoreModules & { metrics: null } {
  return { logger: silentLogger(), metrics: null, clock, signal: new AbortController().signal };
}
