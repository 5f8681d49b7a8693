import type { ApiDecoration } from '@polkadot/api/types';
import type { NeuronInfo } from './metagraphTypes.js';
import { assembleNeurons, type UidVectors } from './metagraphColumns.js';
import { num, str } from './codecValues.js';
import type { ReadPlan } from './readPlan.js';
import { MinerError } from '../util/index.js';

export type At = ApiDecoration<'promise'>;
type Entry = ((...args: unknown[]) => Promise<unknown>) & {
  multi: (keys: unknown[]) => Promise<unknown[]>;
  entries: (...args: unknown[]) => Promise<Array<[{ args: unknown[] }, unknown]>>;
};
export type Query = Record<string, Entry | undefined>;

/** Subtensor's mechanism storage index: mechanism * GLOBAL_MAX_SUBNET_COUNT + netuid. */
const GLOBAL_MAX_SUBNET_COUNT = 4096;

export function subtensorQuery(atApi: Pick<At, 'query'>): Query {
  const q = (atApi.query as unknown as Record<string, Query | undefined>)['subtensorModule'];
  if (!q) throw new MinerError('CHAIN_UNAVAILABLE', 'runtime has no SubtensorModule');
  return q;
}

/** SubtensorModule items the storage path reads (storage names), for fidelity tests against real metadata. */
export const STORAGE_ITEMS = {
  always: ['Keys', 'Owner', 'Axons', 'Active', 'ValidatorPermit', 'Rank', 'Trust', 'Consensus', 'Incentive', 'Dividends', 'Emission', 'LastUpdate'],
  stakeTao: 'TotalHotkeyStake',
  stakeAlpha: 'TotalHotkeyAlpha',
  subnet: ['NetworksAdded', 'Tempo', 'BlockAtRegistration', 'ImmunityPeriod'],
  pool: ['SubnetTAO', 'SubnetAlphaIn'],
} as const;

const VECTORS: ReadonlyArray<keyof UidVectors> = [
  'active',
  'validatorPermit',
  'rank',
  'trust',
  'consensus',
  'incentive',
  'dividends',
  'emission',
  'lastUpdate',
];
/** Epoch outputs that subtensor keeps per mechanism (keyed by the mechanism storage index). */
const PER_MECHANISM: ReadonlySet<keyof UidVectors> = new Set(['incentive', 'lastUpdate']);

async function storageIndex(q: Query, plan: ReadPlan, netuid: number, mechanism: number): Promise<number> {
  if (mechanism === 0) return netuid;
  if (plan.mechanisms !== 'storage' || !q['mechanismCountCurrent']) {
    throw new MinerError(
      'CONFIG_INVALID',
      `chain.mechanism=${mechanism}, but runtime spec ${plan.specVersion} has no mechanisms; fix: set chain.mechanism to 0`,
    );
  }
  const count = num(await q['mechanismCountCurrent'](netuid));
  if (mechanism >= count) {
    throw new MinerError('CONFIG_INVALID', `subnet ${netuid} has ${count} mechanism(s); chain.mechanism=${mechanism} does not exist`);
  }
  return mechanism * GLOBAL_MAX_SUBNET_COUNT + netuid;
}

/** Stake per hotkey: alpha on this subnet on dTAO runtimes, else the hotkey's total TAO stake. */
export function stakeQuery(q: Query, plan: ReadPlan, netuid: number, hotkeys: readonly string[]): Promise<unknown[]> {
  if (plan.alpha && q['totalHotkeyAlpha']) return q['totalHotkeyAlpha'].multi(hotkeys.map((h) => [h, netuid]));
  if (q['totalHotkeyStake']) return q['totalHotkeyStake'].multi([...hotkeys]);
  return Promise.resolve(hotkeys.map(() => 0n));
}

/** The storage maps, all read at one block; per-hotkey maps batched with .multi (one round trip each). */
export async function readFromStorage(atApi: At, plan: ReadPlan, netuid: number, mechanism: number): Promise<NeuronInfo[]> {
  const q = subtensorQuery(atApi);
  const mechIndex = await storageIndex(q, plan, netuid, mechanism);
  const [keyEntries, ...vectors] = await Promise.all([
    q['keys']!.entries(netuid),
    ...VECTORS.map((k) => {
      const entry = q[k];
      return entry ? entry(PER_MECHANISM.has(k) ? mechIndex : netuid) : Promise.resolve([]);
    }),
  ]);
  const v = Object.fromEntries(VECTORS.map((k, i) => [k, vectors[i] as ArrayLike<unknown>])) as unknown as UidVectors;
  const uids = keyEntries.map(([key, value]) => ({ uid: num(key.args[1]), hotkey: str(value) }));
  const hotkeys = uids.map((x) => x.hotkey);
  const [coldkeys, stakes, axons] = await Promise.all([
    q['owner']!.multi(hotkeys),
    stakeQuery(q, plan, netuid, hotkeys),
    q['axons'] ? q['axons'].multi(hotkeys.map((h) => [netuid, h])) : Promise.resolve(hotkeys.map(() => null)),
  ]);
  return assembleNeurons({ uids, coldkeys, stakes, axons }, v);
}
