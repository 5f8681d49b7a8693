import { describe, expect, it } from 'vitest';
import { Blacklist, type BlacklistOpts } from '../../../src/axon/blacklist.js';
import { StaticMetagraph, neuron } from './fixtures.js';

const base: BlacklistOpts = { allowUnregistered: false, requireValidatorPermit: true, minStake: 10, allowHotkeys: [], denyHotkeys: [] };
const mg = new StaticMetagraph([neuron(0, 'val', 100, true), neuron(1, 'poor', 5, true), neuron(2, 'miner', 100, false)]);

describe('Blacklist', () => {
  it('lets a registered validator with enough stake through, with its stake as priority', () => {
    expect(new Blacklist(base, mg).check('val')).toEqual({ ok: true, stake: 100 });
  });

  it('refuses unregistered, non-validator and low-stake hotkeys', () => {
    const b = new Blacklist(base, mg);
    expect(b.check('nobody')).toMatchObject({ ok: false, reason: 'Unrecognized hotkey' });
    expect(b.check('miner')).toMatchObject({ ok: false, reason: 'Non-validator hotkey' });
    expect(b.check('poor')).toMatchObject({ ok: false, reason: 'Stake below minimum' });
  });

  it('honours allowUnregistered, requireValidatorPermit=false, allow and deny lists', () => {
    expect(new Blacklist({ ...base, allowUnregistered: true }, mg).check('nobody')).toEqual({ ok: true, stake: 0 });
    expect(new Blacklist({ ...base, requireValidatorPermit: false }, mg).check('miner').ok).toBe(true);
    expect(new Blacklist({ ...base, allowHotkeys: ['nobody'] }, mg).check('nobody').ok).toBe(true);
    expect(new Blacklist({ ...base, denyHotkeys: ['val'] }, mg).check('val').ok).toBe(false);
  });

  it('reads the current snapshot, so a resync changes the answer', () => {
    const live = new StaticMetagraph([]);
    const b = new Blacklist(base, live);
    expect(b.check('val').ok).toBe(false);
    live.set([neuron(0, 'val', 100, true)]);
    expect(b.check('val').ok).toBe(true);
  });

  it('says "unavailable" before the first sync', () => {
    expect(new Blacklist(base, new StaticMetagraph(undefined)).check('val')).toMatchObject({ ok: false, unavailable: true });
  });
});
