import type { MetagraphSource } from '../chain/index.js';

export interface BlacklistOpts {
  allowUnregistered: boolean;
  requireValidatorPermit: boolean;
  minStake: number;
  allowHotkeys: readonly string[];
  denyHotkeys: readonly string[];
}

export type BlacklistVerdict = { ok: true; stake: number } | { ok: false; reason: string; unavailable?: boolean };

/**
 * Decides from the current metagraph snapshot alone: no I/O and no crypto, so it can run
 * before anything costly and refuse floods from unknown keys cheaply.
 */
export class Blacklist {
  private readonly allow: Set<string>;
  private readonly deny: Set<string>;

  constructor(
    private readonly opts: BlacklistOpts,
    private readonly metagraph: MetagraphSource,
  ) {
    this.allow = new Set(opts.allowHotkeys);
    this.deny = new Set(opts.denyHotkeys);
  }

  check(hotkey: string): BlacklistVerdict {
    if (this.deny.has(hotkey)) return { ok: false, reason: 'Hotkey is on the deny list' };
    const snap = this.metagraph.current();
    const neuron = snap?.byHotkey(hotkey);
    if (this.allow.has(hotkey)) return { ok: true, stake: neuron?.stake ?? 0 };
    if (!neuron) {
      if (this.opts.allowUnregistered) return { ok: true, stake: 0 };
      if (!snap) return { ok: false, reason: 'Metagraph not synced yet', unavailable: true };
      return { ok: false, reason: 'Unrecognized hotkey' };
    }
    if (this.opts.requireValidatorPermit && !neuron.validatorPermit) {
      return { ok: false, reason: 'Non-validator hotkey' };
    }
    if (neuron.stake < this.opts.minStake) return { ok: false, reason: 'Stake below minimum' };
    return { ok: true, stake: neuron.stake };
  }
}
