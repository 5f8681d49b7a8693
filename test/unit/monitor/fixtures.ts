import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { SnapshotInit } from '../../../src/chain/index.js';
import type { MetagraphSnapshot, MetagraphSource, NeuronInfo } from '../../../src/chain/metagraphTypes.js';
import { neuron, snapshotOf } from '../../helpers/metagraph.js';

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

export { neuron };

/** Snapshots as the monitor sees them: 12 s blocks unless the test says otherwise. */
export function snapshot(neurons: NeuronInfo[], p: Partial<SnapshotInit> = {}): MetagraphSnapshot {
  return snapshotOf(neurons, { blockTimeMs: 12_000, ...p });
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
