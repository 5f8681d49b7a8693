import { describe, expect, it } from 'vitest';
import { type FrozenMetagraph, standingOf } from '../../../src/chain/metagraphSnapshot.js';
import type { NeuronInfo } from '../../../src/chain/metagraphTypes.js';
import { neuron, snapshotOf } from '../../helpers/metagraph.js';

const snap = (neurons: NeuronInfo[]): FrozenMetagraph => snapshotOf(neurons, { tempo: 10, syncedAtMs: 1 });

describe('FrozenMetagraph', () => {
  it('indexes by hotkey and uid and orders by uid', () => {
    const s = snap([neuron(2), neuron(0), neuron(1)]);
    expect(s.n).toBe(3);
    expect(s.neurons.map((n) => n.uid)).toEqual([0, 1, 2]);
    expect(s.byHotkey('hk1')?.uid).toBe(1);
    expect(s.byHotkey('nobody')).toBeUndefined();
    expect(s.byUid(2)?.hotkey).toBe('hk2');
  });

  it('is immutable, and does not share objects with its input', () => {
    const input = [neuron(0, { axon: { ip: '1.2.3.4', port: 1, ipType: 4, protocol: 4, version: 1, block: 1 } })];
    const s = snap(input);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.neurons)).toBe(true);
    expect(Object.isFrozen(s.neurons[0])).toBe(true);
    expect(Object.isFrozen(s.neurons[0]!.axon)).toBe(true);
    expect(() => {
      (s.neurons as NeuronInfo[]).push(neuron(9));
    }).toThrow();
    (input[0] as { incentive: number }).incentive = 0.5;
    expect(s.byHotkey('hk0')?.incentive).toBe(0);
  });
});

describe('standingOf', () => {
  const neurons = [
    neuron(0, { validatorPermit: true, incentive: 0.9, stake: 1000 }),
    neuron(1, { incentive: 0.5, emissionRao: 5n }),
    neuron(2, { incentive: 0.3 }),
    neuron(3, { incentive: 0.5 }),
    neuron(4, { incentive: 0.1 }),
  ];

  it('ranks a miner among miners only (validators excluded), ties share the better position', () => {
    const s = snap(neurons);
    expect(standingOf(s, 'hk1')).toMatchObject({ registered: true, uid: 1, position: 1, minersCount: 4, emissionRao: 5n });
    expect(standingOf(s, 'hk3').position).toBe(1);
    expect(standingOf(s, 'hk2').position).toBe(3);
    expect(standingOf(s, 'hk4').position).toBe(4);
  });

  it('counts an own neuron that holds a permit among the miners', () => {
    const st = standingOf(snap(neurons), 'hk0');
    expect(st.validatorPermit).toBe(true);
    expect(st.position).toBe(1);
    expect(st.minersCount).toBe(5);
  });

  it('reports an unregistered hotkey', () => {
    const st = standingOf(snap(neurons), 'gone');
    expect(st.registered).toBe(false);
    expect(st.uid).toBeNull();
    expect(st.position).toBeNull();
    expect(st.minersCount).toBe(4);
  });

  it('carries immunity info through', () => {
    const imm = { registeredAtBlock: 50, immunityPeriod: 100, immuneUntilBlock: 150, inImmunity: true };
    expect(standingOf(snap(neurons), 'hk2', imm).immunity).toEqual(imm);
  });
});
