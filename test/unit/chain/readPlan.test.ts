import { describe, expect, it } from 'vitest';
import { API, chooseReadPlan, runtimeFeatures, type RuntimeFeatures } from '../../../src/chain/readPlan.js';
import { loadDevnetMetadata, loadMetadataJson } from './realMetadata.js';

describe('read path chosen from real metadata', () => {
  it('finney spec 219 (metadata v14, no runtime API list): storage maps, TAO, 12 s Aura slots', () => {
    const m = loadMetadataJson('finney-spec219');
    const f = runtimeFeatures(m.metadata, m.specVersion);
    expect(f.apis.size).toBe(0);
    expect(chooseReadPlan(f)).toEqual({
      specVersion: 219,
      path: 'storage',
      mechanisms: null,
      alpha: false,
      price: null,
      blockTimeMs: 12_000,
      blockTimeSource: 'Aura.SlotDuration',
    });
  });

  it('testnet spec 224 (dTAO storage): storage maps, alpha priced by the pool reserves', () => {
    const m = loadMetadataJson('testnet-spec224');
    const f = runtimeFeatures(m.metadata, m.specVersion);
    for (const item of ['Alpha', 'TotalHotkeyAlpha', 'SubnetAlphaIn', 'SubnetTAO']) expect(f.storage.has(item)).toBe(true);
    expect(f.storage.has('TotalHotkeyStake')).toBe(false);
    expect(chooseReadPlan(f)).toEqual({
      specVersion: 224,
      path: 'storage',
      mechanisms: null,
      alpha: true,
      price: 'pool-reserves',
      blockTimeMs: 12_000,
      blockTimeSource: 'Aura.SlotDuration',
    });
  });

  it('devnet spec 218 (metadata v15 from its wasm): get_neurons_lite, alpha, pool reserves, 3 s slots', async () => {
    const m = await loadDevnetMetadata(218);
    expect(m.metadata.version).toBe(15);
    const f = runtimeFeatures(m.metadata, m.specVersion);
    expect(f.apis.has(API.neuronsLite)).toBe(true);
    // 218 has SubnetInfoRuntimeApi, but neither get_metagraph nor get_selective_metagraph yet.
    expect(f.apis.has('SubnetInfoRuntimeApi.get_subnet_state')).toBe(true);
    expect(f.apis.has(API.metagraph) || f.apis.has(API.selective)).toBe(false);
    expect(chooseReadPlan(f)).toEqual({
      specVersion: 218,
      path: 'neurons-lite',
      mechanisms: null,
      alpha: true,
      price: 'pool-reserves',
      blockTimeMs: 3_000,
      blockTimeSource: 'Aura.SlotDuration',
    });
  });

  it('devnet spec 103 (metadata v14 from its wasm): storage maps in TAO', async () => {
    const m = await loadDevnetMetadata(103);
    const f = runtimeFeatures(m.metadata, m.specVersion);
    const plan = chooseReadPlan(f);
    expect(plan).toMatchObject({ specVersion: 103, path: 'storage', mechanisms: null, alpha: false, price: null });
    expect(f.storage.has('TotalHotkeyStake')).toBe(true);
    // No Aura constant in this runtime's metadata: Aura's slot is twice Timestamp's MinimumPeriod.
    expect(plan.blockTimeSource).toBe('Timestamp.MinimumPeriod*2');
    expect(plan.blockTimeMs).toBeGreaterThan(0);
  });
});

describe('read path for runtimes newer than any metadata here (feature sets as spec 448 lists them)', () => {
  const features = (apis: string[], storage: string[] = ['TotalHotkeyAlpha', 'SubnetTAO', 'SubnetAlphaIn', 'MechanismCountCurrent']): RuntimeFeatures => ({
    specVersion: 448,
    apis: new Set(apis),
    storage: new Set(storage),
    blockTimeMs: 12_000,
    blockTimeSource: 'Babe.ExpectedBlockTime',
  });

  it('prefers get_selective_metagraph, with mechagraphs and the swap price', () => {
    const plan = chooseReadPlan(features([API.neuronsLite, API.metagraph, API.selective, API.selectiveMech, API.mechagraph, API.alphaPrice]));
    expect(plan).toMatchObject({ path: 'selective-metagraph', mechanisms: 'api', alpha: true, price: 'swap-api' });
  });

  it('falls back to get_metagraph, then get_neurons_lite, then storage', () => {
    expect(chooseReadPlan(features([API.neuronsLite, API.metagraph])).path).toBe('metagraph');
    expect(chooseReadPlan(features([API.neuronsLite])).path).toBe('neurons-lite');
    expect(chooseReadPlan(features([])).path).toBe('storage');
    // Mechanisms through storage where the runtime keeps per-mechanism maps but lacks the APIs.
    expect(chooseReadPlan(features([API.neuronsLite])).mechanisms).toBe('storage');
    expect(chooseReadPlan(features([], [])).mechanisms).toBeNull();
  });
});
