import { describe, expect, it } from 'vitest';
import { computeStanding, epochIndex, epochsPerDay } from '../../../src/monitor/index.js';
import { neuron, snapshot } from './fixtures.js';
import type { MetagraphSnapshot } from '../../../src/chain/index.js';

describe('computeStanding', () => {
  const neurons = [
    neuron(0, { validatorPermit: true, dividends: 0.9, incentive: 0, stake: 5000 }),
    neuron(1, { incentive: 0.5 }),
    neuron(2, { incentive: 0.3, emissionRao: 2_500_000_000n, stake: 12.5, stakeRao: 12_500_000_000n }),
    neuron(3, { incentive: 0.3 }),
    neuron(4, { incentive: 0.1 }),
    // Another permit holder: not counted among miners, unless it is the miner asking.
    neuron(5, { validatorPermit: true, incentive: 0.6 }),
  ];

  it('ranks the miner among miners by incentive, ties sharing a position', () => {
    const s = computeStanding(snapshot(neurons, { tempo: 99 }), 'hk2');
    expect(s).toMatchObject({ registered: true, uid: 2, incentive: 0.3, position: 2, minersCount: 4, stake: 12.5 });
    expect(computeStanding(snapshot(neurons), 'hk3').position).toBe(2);
    expect(computeStanding(snapshot(neurons), 'hk4').position).toBe(4);
    expect(computeStanding(snapshot(neurons), 'hk5')).toMatchObject({ position: 1, minersCount: 5 });
  });

  it('converts emission per epoch to units and a daily estimate from the tempo', () => {
    const s = computeStanding(snapshot(neurons, { tempo: 359, netuid: 7 }), 'hk2');
    expect(s.emissionPerEpochRao).toBe(2_500_000_000n);
    expect(s.emissionPerEpoch).toBe(2.5);
    expect(s.epochsPerDay).toBe(20);
    expect(s.emissionPerDay).toBe(50);
    expect(s.emissionUnit).toBe('alpha');
    expect(computeStanding(snapshot(neurons, { netuid: 0 }), 'hk2').emissionUnit).toBe('TAO');
  });

  it('reports an unregistered hotkey', () => {
    expect(computeStanding(snapshot(neurons), 'nobody')).toMatchObject({ registered: false, uid: null, position: null, minersCount: 4 });
  });

  it('reads immunity when the runtime exposes it', () => {
    // A runtime's extra field on top of the snapshot (the class's methods stay reachable).
    const snap = Object.assign(Object.create(snapshot([neuron(1, { registrationBlock: 950 } as never)], { block: 1000 })) as MetagraphSnapshot, {
      immunityPeriod: 100,
    });
    expect(computeStanding(snap, 'hk1').immunity).toEqual({ immune: true, blocksLeft: 50 });
    expect(computeStanding(snapshot([neuron(1)]), 'hk1').immunity).toBeNull();
    // What the chain subsystem read wins.
    expect(computeStanding(snapshot([neuron(1)], { block: 1000 }), 'hk1', { immunity: { inImmunity: false, immuneUntilBlock: 990 } }).immunity).toEqual({
      immune: false,
      blocksLeft: 0,
    });
  });
});

describe('epochs', () => {
  it('follows the subtensor schedule (block + netuid + 1) % (tempo + 1)', () => {
    expect(epochsPerDay(360, 12_000)).toBeCloseTo(19.94, 2);
    expect(epochsPerDay(360, null)).toBeNull();
    // netuid 1, tempo 9: epochs run at blocks 8, 18, 28 ...
    expect(epochIndex(7, 9, 1)).toBe(0);
    expect(epochIndex(8, 9, 1)).toBe(1);
    expect(epochIndex(17, 9, 1)).toBe(1);
    expect(epochIndex(18, 9, 1)).toBe(2);
  });
});
