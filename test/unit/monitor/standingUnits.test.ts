import { describe, expect, it } from 'vitest';
import { computeStanding } from '../../../src/monitor/index.js';
import { neuron, snapshot } from './fixtures.js';

describe('standing amounts and units', () => {
  const me = neuron(2, { emissionRao: 2_000_000_000n, stake: 40, stakeRao: 40_000_000_000n });

  it('values alpha in TAO at the snapshot price and estimates per day from the chain block time', () => {
    const s = computeStanding(
      snapshot([me], { tempo: 359, emissionUnit: 'alpha', stakeUnit: 'alpha', alphaPriceRao: 250_000_000n, blockTimeMs: 6_000 }),
      'hk2',
    );
    expect(s).toMatchObject({ emissionUnit: 'alpha', stakeUnit: 'alpha', alphaPriceTao: 0.25, blockTimeMs: 6_000, epochsPerDay: 40 });
    expect(s.emissionPerDay).toBe(80);
    expect(s.stakeValueTao).toBe(10);
    expect(s.emissionPerEpochValueTao).toBe(0.5);
    expect(s.emissionPerDayValueTao).toBe(20);
  });

  it('TAO amounts are worth themselves; unpriced alpha and an unknown block time give null, not a guess', () => {
    const tao = computeStanding(snapshot([me], { emissionUnit: 'TAO', stakeUnit: 'TAO' }), 'hk2');
    expect(tao).toMatchObject({ alphaPriceTao: 1, stakeValueTao: 40, emissionPerEpochValueTao: 2 });
    const unknown = computeStanding(snapshot([me], { emissionUnit: 'alpha', stakeUnit: 'alpha', alphaPriceRao: null, blockTimeMs: null }), 'hk2');
    expect(unknown).toMatchObject({ alphaPriceTao: null, stakeValueTao: null, epochsPerDay: null, emissionPerDay: null, emissionPerDayValueTao: null });
  });
});
