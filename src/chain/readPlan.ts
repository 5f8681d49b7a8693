import type { Metadata } from '@polkadot/types';
import type { Logger } from 'pino';
import { num } from './codecValues.js';

/** How a runtime's metagraph is read, best first. */
export type ReadPath = 'selective-metagraph' | 'metagraph' | 'neurons-lite' | 'storage';

/** What a runtime offers a metagraph reader, taken from its metadata alone (works offline). */
export interface RuntimeFeatures {
  readonly specVersion: number;
  /** `Api.method` in the runtime's own (snake_case) names, from metadata v15+; empty on v14. */
  readonly apis: ReadonlySet<string>;
  /** SubtensorModule storage item names (PascalCase). */
  readonly storage: ReadonlySet<string>;
  readonly blockTimeMs: number | null;
  /** Which constant gave the block time, e.g. `Babe.ExpectedBlockTime`. */
  readonly blockTimeSource: string | null;
}

/** The reader's decisions for one runtime version, made once and logged. */
export interface ReadPlan {
  readonly specVersion: number;
  readonly path: ReadPath;
  /** Per-mechanism reads: mechagraph runtime APIs, NetUidStorageIndex storage, or none. */
  readonly mechanisms: 'api' | 'storage' | null;
  /** Stake and emission are per-subnet alpha (dTAO). */
  readonly alpha: boolean;
  /** How alpha is valued in TAO; null on TAO-only runtimes or when nothing prices it. */
  readonly price: 'swap-api' | 'pool-reserves' | null;
  readonly blockTimeMs: number | null;
  readonly blockTimeSource: string | null;
}

export const API = {
  selective: 'SubnetInfoRuntimeApi.get_selective_metagraph',
  selectiveMech: 'SubnetInfoRuntimeApi.get_selective_mechagraph',
  metagraph: 'SubnetInfoRuntimeApi.get_metagraph',
  mechagraph: 'SubnetInfoRuntimeApi.get_mechagraph',
  neuronsLite: 'NeuronInfoRuntimeApi.get_neurons_lite',
  alphaPrice: 'SwapRuntimeApi.current_alpha_price',
} as const;

interface ConstantLike {
  name: { toString(): string };
  value: { toU8a(bare?: boolean): Uint8Array };
}
interface PalletLike {
  name: { toString(): string };
  constants: ConstantLike[];
  storage: { isSome: boolean; unwrap(): { items: Array<{ name: { toString(): string } }> } };
}
interface ApiLike {
  name: { toString(): string };
  methods: Array<{ name: { toString(): string } }>;
}

function u64Le(bytes: Uint8Array): number {
  let v = 0;
  for (let i = Math.min(8, bytes.length) - 1; i >= 0; i--) v = v * 256 + bytes[i]!;
  return v;
}

/**
 * Block time from the runtime's constants: BABE's ExpectedBlockTime, else Aura's SlotDuration,
 * else twice Timestamp's MinimumPeriod (how Aura runtimes derive their slot).
 */
export function blockTimeOf(pallets: readonly PalletLike[]): { ms: number; source: string } | null {
  const constant = (pallet: string, name: string): number | null => {
    const c = pallets.find((p) => p.name.toString() === pallet)?.constants.find((k) => k.name.toString() === name);
    const v = c ? u64Le(c.value.toU8a(true)) : 0;
    return v > 0 ? v : null;
  };
  const babe = constant('Babe', 'ExpectedBlockTime');
  if (babe) return { ms: babe, source: 'Babe.ExpectedBlockTime' };
  const aura = constant('Aura', 'SlotDuration');
  if (aura) return { ms: aura, source: 'Aura.SlotDuration' };
  const min = constant('Timestamp', 'MinimumPeriod');
  return min ? { ms: 2 * min, source: 'Timestamp.MinimumPeriod*2' } : null;
}

/** Features of the runtime described by `metadata` (any version @polkadot/types reads). */
export function runtimeFeatures(metadata: Metadata, specVersion: number): RuntimeFeatures {
  const latest = metadata.asLatest as unknown as { pallets: PalletLike[]; apis?: ApiLike[] };
  const apis = new Set<string>();
  for (const a of latest.apis ?? []) for (const m of a.methods) apis.add(`${a.name.toString()}.${m.name.toString()}`);
  const sm = latest.pallets.find((p) => p.name.toString() === 'SubtensorModule');
  const storage = new Set<string>(sm?.storage.isSome ? sm.storage.unwrap().items.map((i) => i.name.toString()) : []);
  const bt = blockTimeOf(latest.pallets);
  return { specVersion, apis, storage, blockTimeMs: bt?.ms ?? null, blockTimeSource: bt?.source ?? null };
}

/** Features of a live API's runtime. */
export function apiFeatures(api: { runtimeMetadata: Metadata; runtimeVersion: { specVersion: unknown } }): RuntimeFeatures {
  return runtimeFeatures(api.runtimeMetadata, num(api.runtimeVersion.specVersion));
}

/** The best read path this runtime offers, and how it prices alpha. Pure: the same features give the same plan. */
export function chooseReadPlan(f: RuntimeFeatures): ReadPlan {
  const path: ReadPath = f.apis.has(API.selective)
    ? 'selective-metagraph'
    : f.apis.has(API.metagraph)
      ? 'metagraph'
      : f.apis.has(API.neuronsLite)
        ? 'neurons-lite'
        : 'storage';
  const apiMech = path === 'selective-metagraph' ? f.apis.has(API.selectiveMech) : path === 'metagraph' && f.apis.has(API.mechagraph);
  const mechanisms = apiMech ? 'api' : f.storage.has('MechanismCountCurrent') ? 'storage' : null;
  const alpha = f.storage.has('TotalHotkeyAlpha');
  const price = !alpha ? null : f.apis.has(API.alphaPrice) ? 'swap-api' : f.storage.has('SubnetTAO') && f.storage.has('SubnetAlphaIn') ? 'pool-reserves' : null;
  return { specVersion: f.specVersion, path, mechanisms, alpha, price, blockTimeMs: f.blockTimeMs, blockTimeSource: f.blockTimeSource };
}

const MAX_PLANS = 8;

/** Read plans per runtime version (genesis + spec), chosen once each and logged when chosen. */
export class ReadPlanCache {
  private readonly plans = new Map<string, ReadPlan>();

  constructor(private readonly log?: Logger) {}

  planFor(api: { genesisHash: { toHex(): string }; runtimeMetadata: Metadata; runtimeVersion: { specVersion: unknown } }): ReadPlan {
    const key = `${api.genesisHash.toHex()}-${num(api.runtimeVersion.specVersion)}`;
    const known = this.plans.get(key);
    if (known) return known;
    const plan = chooseReadPlan(apiFeatures(api));
    if (this.plans.size >= MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, plan);
    this.log?.info({ ...plan }, 'metagraph read path chosen for this runtime');
    return plan;
  }
}
