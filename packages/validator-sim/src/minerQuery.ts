import type { AxonInfo, NeuronInfo } from '../../../src/chain/index.js';
import type { DendriteAnswer, DendriteForm, DendriteQuery } from '../../../src/client/index.js';

/** The part of the axon subsystem's Dendrite the simulator uses: one signed request to one axon. */
export type { DendriteQuery, DendriteAnswer, DendriteForm };

export interface DendriteClient {
  query(q: DendriteQuery): Promise<DendriteAnswer>;
}

/** Where to reach a miner when the announced address is not the one it listens on (devnets announce 10.0.0.1). */
export interface AddressOverrides {
  /** Replaces every announced IP. */
  host?: string | undefined;
  /** Per hotkey: "host:port". Wins over `host`. */
  byHotkey?: Readonly<Record<string, string>> | undefined;
}

export interface MinerTarget {
  readonly uid: number;
  readonly hotkey: string;
  readonly host: string;
  readonly port: number;
}

export function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (!m[1] || port < 1 || port > 65535) return undefined;
  return { host: m[1], port };
}

export function isServed(axon: AxonInfo | null): axon is AxonInfo {
  return axon !== null && axon.port > 0 && axon.ip !== '' && axon.ip !== '0.0.0.0' && axon.ip !== '::';
}

/** The miners worth querying: served axons, other hotkeys than ours, with overrides applied. */
export function minerTargets(neurons: readonly NeuronInfo[], ownHotkey: string, o: AddressOverrides): MinerTarget[] {
  const out: MinerTarget[] = [];
  for (const n of neurons) {
    if (n.hotkey === ownHotkey) continue;
    const override = o.byHotkey?.[n.hotkey];
    const parsed = override ? parseHostPort(override) : undefined;
    if (parsed) {
      out.push({ uid: n.uid, hotkey: n.hotkey, ...parsed });
      continue;
    }
    if (!isServed(n.axon)) continue;
    out.push({ uid: n.uid, hotkey: n.hotkey, host: o.host ?? n.axon.ip, port: n.axon.port });
  }
  return out;
}
