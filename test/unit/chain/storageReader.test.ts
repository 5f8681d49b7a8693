import { describe, expect, it } from 'vitest';
import { readFromStorage, type At } from '../../../src/chain/storageReader.js';
import type { ReadPlan } from '../../../src/chain/index.js';

const plan = (p: Partial<ReadPlan> = {}): ReadPlan => ({
  specVersion: 300,
  path: 'storage',
  mechanisms: 'storage',
  alpha: true,
  price: 'pool-reserves',
  blockTimeMs: 12_000,
  blockTimeSource: 'Aura.SlotDuration',
  ...p,
});

/** A stub of api.at(...).query.subtensorModule that records which keys each map was read at. */
function stub(mechanismCount: number): { at: At; reads: string[] } {
  const reads: string[] = [];
  const vector = (name: string, byKey: Record<number, unknown[]>) => async (key: number) => {
    reads.push(`${name}(${key})`);
    return byKey[key] ?? [];
  };
  const multi = (name: string, f: (k: unknown) => unknown) =>
    Object.assign(async () => undefined, {
      multi: async (keys: unknown[]) => {
        reads.push(`${name}.multi(${JSON.stringify(keys)})`);
        return keys.map(f);
      },
    });
  const q = {
    keys: {
      entries: async (netuid: number) => [
        [{ args: [netuid, 0] }, 'hkA'],
        [{ args: [netuid, 1] }, 'hkB'],
      ],
    },
    owner: multi('owner', (h) => `ck-${String(h)}`),
    totalHotkeyAlpha: multi('totalHotkeyAlpha', (k) => ((k as unknown[])[0] === 'hkB' ? 7_000_000_000n : 0n)),
    axons: multi('axons', () => null),
    mechanismCountCurrent: async () => mechanismCount,
    incentive: vector('incentive', { 3: [1, 2], [4096 + 3]: [65535, 32768] }),
    lastUpdate: vector('lastUpdate', { 3: [5, 5], [4096 + 3]: [9, 9] }),
    emission: vector('emission', { 3: [10, 20] }),
    active: vector('active', { 3: [true, true] }),
  };
  return { at: { query: { subtensorModule: q } } as unknown as At, reads };
}

describe('storage path', () => {
  it('reads per-mechanism incentive and last update at mechanism * 4096 + netuid, the rest per subnet, alpha stake per hotkey', async () => {
    const { at, reads } = stub(2);
    const neurons = await readFromStorage(at, plan(), 3, 1);
    expect(reads).toContain('incentive(4099)');
    expect(reads).toContain('lastUpdate(4099)');
    expect(reads).toContain('emission(3)');
    expect(reads).toContain('totalHotkeyAlpha.multi([["hkA",3],["hkB",3]])');
    expect(neurons.map((n) => [n.hotkey, n.coldkey, n.incentive, n.lastUpdate, n.emissionRao, n.stakeRao])).toEqual([
      ['hkA', 'ck-hkA', 1, 9, 10n, 0n],
      ['hkB', 'ck-hkB', 32768 / 65535, 9, 20n, 7_000_000_000n],
    ]);
  });

  it('refuses a mechanism the subnet does not have, or a runtime without mechanisms', async () => {
    await expect(readFromStorage(stub(1).at, plan(), 3, 1)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(readFromStorage(stub(2).at, plan({ mechanisms: null }), 3, 1)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
