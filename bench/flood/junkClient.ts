/**
 * A junk generator process for bench/flood.ts (run at nice 19: an attacker's CPU is not the
 * axon's). It keeps `conns` connections of one form open to the axon, reconnecting any the
 * server closes, and writes fresh junk at `rate` per second (open loop) or as fast as it is
 * answered (closed loop). Answers are counted by status without parsing them as JSON.
 */
import { connect, type Socket } from 'node:net';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { upgradeRequest } from '../fuzz/wsWire.js';
import { JUNK_KINDS, junkItems, junkKeys, type JunkKeys } from './junkTemplates.js';

export interface JunkOpts {
  form: 'ws' | 'http';
  port: number;
  axonHotkey: string;
  validator: string;
  conns: number;
  rate: number;
}

export interface JunkReport {
  form: 'ws' | 'http';
  sent: number;
  answered: number;
  statuses: Record<string, number>;
  reconnects: number;
  /** Items not written because the socket was still backed up (TCP pushing back). */
  skipped: number;
}

const TICK_MS = 10;
/** Beyond this many unsent bytes on a socket the generator skips writes instead of buffering. */
const MAX_BACKLOG = 512 * 1024;
const HTTP_STATUS = /HTTP\/1\.1 (\d{3})/g;
const WS_STATUS = /"status":(\d{3})/;

class JunkConn {
  socket: Socket | null = null;
  ready = false;
  /** Sent on this socket and not answered yet (closed loop). */
  inflight = 0;
  private tail = '';
  private wsBuf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly o: JunkOpts,
    private readonly onStatus: (s: string) => void,
    private readonly onReconnect: () => void,
  ) {}

  open(): void {
    const s = connect({ host: '127.0.0.1', port: this.o.port, noDelay: true });
    this.socket = s;
    this.ready = this.o.form === 'http';
    s.on('connect', () => {
      if (this.o.form === 'ws') s.write(upgradeRequest(this.o.port));
    });
    s.on('data', (c: Buffer) => (this.o.form === 'http' ? this.onHttp(c) : this.onWs(c)));
    s.on('error', () => {});
    s.on('close', () => {
      this.ready = false;
      this.socket = null;
      this.onReconnect();
      setTimeout(() => this.open(), 100);
    });
  }

  private onHttp(c: Buffer): void {
    const text = this.tail + c.toString('latin1');
    let end = 0;
    for (const m of text.matchAll(HTTP_STATUS)) {
      this.onStatus(m[1]!);
      end = m.index + m[0].length;
    }
    // Keep what could be the start of a status line cut by the chunk boundary, never a counted one.
    this.tail = text.slice(Math.max(end, text.length - 11));
  }

  private onWs(c: Buffer): void {
    let buf = this.wsBuf.length > 0 ? Buffer.concat([this.wsBuf, c]) : c;
    if (!this.ready) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        this.wsBuf = Buffer.from(buf);
        return;
      }
      const ok = buf.subarray(0, 12).toString('latin1').includes(' 101');
      this.onStatus(ok ? 'upgrade' : `upgrade ${buf.subarray(9, 12).toString('latin1')}`);
      if (!ok) return void this.socket?.destroy();
      this.ready = true;
      buf = buf.subarray(end + 4);
    }
    let off = 0;
    while (buf.length - off >= 2) {
      const b1 = buf[off + 1]! & 0x7f;
      const head = b1 === 126 ? 4 : b1 === 127 ? 10 : 2;
      if (buf.length - off < head) break;
      const len = b1 === 126 ? buf.readUInt16BE(off + 2) : b1 === 127 ? Number(buf.readBigUInt64BE(off + 2)) : b1;
      if (buf.length - off < head + len) break;
      const op = buf[off]! & 0x0f;
      if (op === 1) this.onStatus(WS_STATUS.exec(buf.subarray(off + head, off + head + Math.min(len, 200)).toString('latin1'))?.[1] ?? 'text');
      if (op === 8) this.onStatus(`close ${len >= 2 ? buf.readUInt16BE(off + head) : 1005}`);
      off += head + len;
    }
    this.wsBuf = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
  }

  /** Writes what fits without piling up; returns how many items went out. */
  write(items: Buffer[]): number {
    const s = this.socket;
    if (!s || !this.ready || s.writableLength > MAX_BACKLOG || items.length === 0) return 0;
    s.write(items.length === 1 ? items[0]! : Buffer.concat(items));
    return items.length;
  }
}

/** Items per kind per refill; closed loop (rate 0) cycles through a second's worth at a plausible pace. */
function perKindFor(o: JunkOpts): number {
  const perConnPerSec = o.rate > 0 ? Math.max(5, Math.ceil(o.rate / o.conns)) : 200;
  return Math.ceil(perConnPerSec / JUNK_KINDS.length);
}

class JunkGenerator {
  readonly report: JunkReport;
  private readonly conns: JunkConn[] = [];
  private queues: Buffer[][] = [];
  private cursor: number[];
  private closedLoop = false;
  private credit = 0;
  private rot = 0;
  private round = 0;
  private lastNs = 0n;

  constructor(
    private readonly o: JunkOpts,
    private readonly keys: JunkKeys,
  ) {
    this.report = { form: o.form, sent: 0, answered: 0, statuses: {}, reconnects: 0, skipped: 0 };
    this.cursor = new Array<number>(o.conns).fill(0);
    for (let c = 0; c < o.conns; c++) {
      const conn = new JunkConn(
        o,
        (st) => this.onStatus(conn, st),
        () => {
          conn.inflight = 0;
          this.report.reconnects++;
        },
      );
      this.conns.push(conn);
    }
  }

  start(): void {
    for (const c of this.conns) c.open();
    this.refill();
    setInterval(() => this.refill(), 1_000);
    setInterval(() => (this.closedLoop ? this.topUp() : this.tick()), TICK_MS);
    setInterval(() => process.send?.({ ...this.report, statuses: { ...this.report.statuses } }), 1_000);
  }

  switchToClosedLoop(): void {
    this.closedLoop = true;
  }

  private onStatus(conn: JunkConn, s: string): void {
    if (s !== 'upgrade') {
      this.report.answered++;
      conn.inflight = Math.max(0, conn.inflight - 1);
    }
    this.report.statuses[s] = (this.report.statuses[s] ?? 0) + 1;
  }

  private nowNs(): bigint {
    const n = BigInt(Date.now()) * 1_000_000n;
    this.lastNs = n > this.lastNs ? n : this.lastNs + 1n;
    return this.lastNs;
  }

  private refill(): void {
    this.round++;
    const perKind = perKindFor(this.o);
    this.queues = this.conns.map((_, c) => junkItems(this.o.form, this.keys, this.o.axonHotkey, this.o.port, perKind, () => this.nowNs(), this.round + c));
  }

  private take(c: number, n: number): Buffer[] {
    const q = this.queues[c]!;
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) out.push(q[(this.cursor[c]! + i) % q.length]!);
    this.cursor[c] = (this.cursor[c]! + n) % q.length;
    return out;
  }

  private send(c: number, n: number): number {
    const conn = this.conns[c]!;
    const wrote = conn.write(this.take(c, n));
    conn.inflight += wrote;
    this.report.sent += wrote;
    return wrote;
  }

  /** Open loop: `rate` per second spread over the connections. */
  private tick(): void {
    this.credit += (this.o.rate * TICK_MS) / 1000;
    const n = Math.floor(this.credit);
    this.credit -= n;
    const k0 = Math.floor(n / this.o.conns);
    for (let c = 0; c < this.o.conns; c++) {
      const k = k0 + ((c + this.rot) % this.o.conns < n % this.o.conns ? 1 : 0);
      if (k > 0) this.report.skipped += k - this.send(c, k);
    }
    this.rot = (this.rot + 1) % this.o.conns;
  }

  /** Closed loop: each connection keeps a fixed number in flight; a reconnect forgets what its socket lost. */
  private topUp(): void {
    const depth = this.o.form === 'ws' ? 64 : 32;
    for (let c = 0; c < this.o.conns; c++) {
      const want = depth - this.conns[c]!.inflight;
      if (want > 0) this.send(c, want);
    }
  }
}

export async function junkMain(o: JunkOpts): Promise<void> {
  await cryptoWaitReady();
  const gen = new JunkGenerator(o, junkKeys(o.validator));
  process.on('message', (m) => {
    if (m === 'closed-loop') gen.switchToClosedLoop();
  });
  gen.start();
}
