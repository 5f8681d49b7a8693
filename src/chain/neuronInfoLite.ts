import type { Registry } from '@polkadot/types/types';

/**
 * SCALE layout of subtensor's NeuronInfoLite, for runtimes whose runtime API returns raw
 * `Bytes` (metadata v15 era, e.g. spec 218). Prefixed names so they never shadow metadata types.
 */
export const NEURON_INFO_LITE_TYPES = {
  MinerAxonInfo: {
    block: 'u64',
    version: 'u32',
    ip: 'u128',
    port: 'u16',
    ipType: 'u8',
    protocol: 'u8',
    placeholder1: 'u8',
    placeholder2: 'u8',
  },
  MinerPrometheusInfo: {
    block: 'u64',
    version: 'u32',
    ip: 'u128',
    port: 'u16',
    ipType: 'u8',
  },
  MinerNeuronInfoLite: {
    hotkey: 'AccountId32',
    coldkey: 'AccountId32',
    uid: 'Compact<u16>',
    netuid: 'Compact<u16>',
    active: 'bool',
    axonInfo: 'MinerAxonInfo',
    prometheusInfo: 'MinerPrometheusInfo',
    stake: 'Vec<(AccountId32, Compact<u64>)>',
    rank: 'Compact<u16>',
    emission: 'Compact<u64>',
    incentive: 'Compact<u16>',
    consensus: 'Compact<u16>',
    trust: 'Compact<u16>',
    validatorTrust: 'Compact<u16>',
    dividends: 'Compact<u16>',
    lastUpdate: 'Compact<u64>',
    validatorPermit: 'bool',
    pruningScore: 'Compact<u16>',
  },
} as const;

export function registerNeuronInfoLite(registry: Registry): void {
  if (registry.hasType('MinerNeuronInfoLite')) return;
  registry.register(NEURON_INFO_LITE_TYPES);
}
