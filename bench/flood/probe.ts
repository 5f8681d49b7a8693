/**
 * The validator's side of the flood bench: signed Dummy queries at a fixed rate (open loop),
 * alternating WebSocket and HTTP keep-alive, each tagged with the phase it was sent in.
 */
import { Agent, request } from 'node:http';
import type { KeyringPair } from '@polkadot/keyring/types';
import { Dendrite, type DendriteQuery } from '../../src/client/index.js';
import type { Clock } from '../../src/util/index.js';

export interface ProbeSample {
  phase: string;
  form: 'ws' | 'http';
  status: number;
  ms: number;
}

export class ValidatorProbe {
  readonly samples: ProbeSample[] = [];
  /** Why queries failed: message -> count (bounded: messages are few and constant). */
  readonly failures = new Map<string, number>();
  /**
   * One dendrite per form: nonces must rise per hotkey+uuid, and a WS and an HTTP query in
   * flight together may be verified in either order, as two validator processes would be.
   */
  private readonly dendrite: Dendrite;
  private readonly httpDendrite: Dendrite;
  /** One keep-alive socket, as a validator's pool would use: nonces leave in the order they were made. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private timer: NodeJS.Timeout | undefined;
  private pending = new Set<Promise<void>>();
  private n = 0;
  phase = 'calm';

  constructor(
    pair: KeyringPair,
    private readonly target: { port: number; axonHotkey: string },
    private readonly clock: Clock,
  ) {
    this.dendrite = new Dendrite({ pair, verifyResponses: false }, { clock });
    this.httpDendrite = new Dendrite({ pair, verifyResponses: false }, { clock });
  }

  private fail(form: string, status: number, message: string): void {
    const key = `${form} ${status} ${message.slice(0, 80)}`;
    if (this.failures.has(key) || this.failures.size < 20) this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }

  start(perSec: number): void {
    this.timer = setInterval(() => this.fire(), 1000 / perSec);
  }

  private fire(): void {
    const form: 'ws' | 'http' = this.n++ % 2 === 0 ? 'ws' : 'http';
    const phase = this.phase;
    const q: DendriteQuery = {
      host: '127.0.0.1',
      port: this.target.port,
      axonHotkey: this.target.axonHotkey,
      synapse: 'Dummy',
      body: { dummy_input: this.n },
      timeoutMs: 12_000,
      transport: form,
    };
    const t0 = this.clock.monotonicMs();
    const ws = (): Promise<number> =>
      this.dendrite.query(q).then((a) => {
        if (a.status !== 200) this.fail('ws', a.status, a.message);
        return a.status;
      });
    const p = (form === 'ws' ? ws() : this.http(q))
      .then((status) => void this.samples.push({ phase, form, status, ms: this.clock.monotonicMs() - t0 }))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private http(q: DendriteQuery): Promise<number> {
    const req = this.httpDendrite.httpRequest(q);
    return new Promise((resolve) => {
      const r = request(
        {
          host: q.host,
          port: q.port,
          method: 'POST',
          path: req.path,
          agent: this.agent,
          timeout: q.timeoutMs + 1_000,
          headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.length < 4 && chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) this.fail('http', res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
            resolve(res.statusCode ?? 0);
          });
          res.on('error', () => resolve(-1));
        },
      );
      r.on('timeout', () => r.destroy());
      r.on('error', (e) => {
        this.fail('http', -1, e.message);
        resolve(-1);
      });
      r.end(req.body);
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.pending]);
    await this.dendrite.close();
    await this.httpDendrite.close();
    this.agent.destroy();
  }
}

export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
