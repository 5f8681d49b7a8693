import { describe, expect, it } from 'vitest';
import { TypeRegistry } from '@polkadot/types';
import { readAlphaPrice, type ReadPlan } from '../../../src/chain/index.js';
import type { At } from '../../../src/chain/storageReader.js';

const r = new TypeRegistry();
const u64 = (v: bigint) => r.createType('u64', v);
const plan = (p: Partial<ReadPlan>): ReadPlan => ({
  specVersion: 1,
  path: 'storage',
  mechanisms: null,
  alpha: true,
  price: 'pool-reserves',
  blockTimeMs: 12_000,
  blockTimeSource: 'Aura.SlotDuration',
  ...p,
});
const at = (tao: bigint, alphaIn: bigint, swap?: bigint): At =>
  ({
    query: { subtensorModule: { subnetTAO: async () => u64(tao), subnetAlphaIn: async () => u64(alphaIn) } },
    call: swap === undefined ? {} : { swapRuntimeApi: { currentAlphaPrice: async () => u64(swap) } },
  }) as unknown as At;

describe('alpha price in TAO (rao per alpha)', () => {
  it('from the pool reserves: SubnetTAO / SubnetAlphaIn', async () => {
    expect(await readAlphaPrice(at(3_000_000_000n, 12_000_000_000n), plan({}), 5)).toBe(250_000_000n);
    // An empty pool prices nothing rather than dividing by zero.
    expect(await readAlphaPrice(at(3n, 0n), plan({}), 5)).toBeNull();
  });

  it('from SwapRuntimeApi.current_alpha_price where the runtime has it', async () => {
    expect(await readAlphaPrice(at(1n, 1n, 31_415_926n), plan({ price: 'swap-api' }), 5)).toBe(31_415_926n);
  });

  it('root is TAO (1:1) and pre-dTAO runtimes have no alpha price', async () => {
    expect(await readAlphaPrice(at(1n, 1n), plan({}), 0)).toBe(1_000_000_000n);
    expect(await readAlphaPrice(at(1n, 1n), plan({ alpha: false, price: null }), 5)).toBeNull();
  });
});
