import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { MetagraphSnapshot, MetagraphSource, NeuronInfo } from '../../../src/chain/metagraphTypes.js';

/** A pino logger whose JSON lines land in an array. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const logger = pino({ level, formatters: { level: (label: string) => ({ level: label }) } }, stream);
  return { logger, lines };
}

export function neuron(uid: number, p: Partial<NeuronInfo> = {}): NeuronInfo {
  return {
    uid,
    hotkey: `hk${uid}`,
    coldkey: `ck${uid}`,
    active: true,
    validatorPermit: false,
    stakeRao: 0n,
    stake: 0,
    incentive: 0,
    dividends: 0,
    consensus: 0,
    trust: 0,
    rank: 0,
    emissionRao: 0n,
    lastUpdate: 0,
    axon: null,
    ...p,
  };
}

export function snapshot(neurons: NeuronInfo[], p: Partial<Omit<MetagraphSnapshot, 'byHotkey' | 'neurons'>> = {}): MetagraphSnapshot {
  const map = new Map(neurons.map((n) => [n.hotkey, n]));
  return {
    netuid: 1,
    block: 100,
    tempo: 99,
    n: neurons.length,
    syncedAtMs: 1_700_000_000_000,
    source: 'storage',
    blockTimeMs: 12_000,
    ...p,
    neurons,
    byHotkey: (h) => map.get(h),
  };
}

/** A MetagraphSource the test pushes snapshots into. */
export class FakeMetagraph implements MetagraphSource {
  private snap: MetagraphSnapshot | undefined;
  private readonly listeners = new Set<(s: MetagraphSnapshot) => void>();
  current(): MetagraphSnapshot | undefined {
    return this.snap;
  }
  onUpdate(listener: (s: MetagraphSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(s: MetagraphSnapshot): void {
    this.snap = s;
    for (const l of this.listeners) l(s);
  }
}
