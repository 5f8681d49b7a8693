/**
 * Load generators for bench/axon.ts: pre-signed WebSocket frames sent closed loop (a fixed
 * number in flight) or open loop (a fixed offered rate), and signed HTTP requests.
 */
import { Agent, request } from 'node:http';
import { buildBtAuthRequest, buildEpistulaRequest } from '../src/client/signedHttpRequests.js';
import { WebSocket } from 'ws';
import type { KeyringPair } from '@polkadot/keyring/types';
import { makeSigner } from '../src/axon/index.js';
import { buildHttpRequest, buildWsFrame } from '../src/client/index.js';
import { systemClock } from '../src/util/index.js';

const clock = systemClock();
const WARMUP_MS = 1_000;

export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function fmt(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : 'n/a';
}

/** What one load run saw; the per-answer arrays feed the percentiles. */
export interface Run {
  ok: number;
  other: number;
  /** Answers that arrived after the window closed (counted in latency only). */
  late: number;
  seconds: number;
  lat: number[];
  /** The axon's own processTimeMs of each WS answer (receipt of the frame to the reply). */
  server: number[];
}

export function report(label: string, r: Run): void {
  console.log(
    `${label}: ${(r.ok / r.seconds).toFixed(0)} req/s ok (${r.other} non-200, ${r.late} late), latency ms p50 ${fmt(pct(r.lat, 50))} p95 ${fmt(pct(r.lat, 95))} p99 ${fmt(pct(r.lat, 99))}`,
  );
  if (r.server.some((x) => x > 0))
    console.log(`  axon processTimeMs p50 ${fmt(pct(r.server, 50))} p95 ${fmt(pct(r.server, 95))} p99 ${fmt(pct(r.server, 99))}`);
}

export interface Frame {
  id: string;
  text: string;
}

/** Pre-signed WS frames, nonces increasing per connection uuid. */
export function wsFrames(bob: KeyringPair, eve: KeyringPair, conn: number, n: number): Frame[] {
  const sign = makeSigner(bob);
  const base = clock.nowNs();
  return Array.from({ length: n }, (_, i) => {
    const id = `c${conn}-${i}`;
    const text = JSON.stringify(
      buildWsFrame({
        id,
        synapse: 'Dummy',
        bodyText: JSON.stringify({ dummy_input: i }),
        timeoutSec: 12,
        address: bob.address,
        sign,
        uuid: `bench-${conn}-${process.pid}-${base}`,
        nonce: base + BigInt(i),
        axonHotkey: eve.address,
      }),
    );
    return { id, text };
  });
}

/** Closed loop: `inflight` requests outstanding per connection for `seconds`, or open loop at `ratePerSec`. */
export async function wsLoad(port: number, frames: Frame[][], inflight: number, seconds: number, ratePerSec?: number): Promise<Run> {
  const run: Run = { ok: 0, other: 0, late: 0, seconds, lat: [], server: [] };
  // The first second warms the axon (JIT, worker threads, connections) and is not counted.
  const from = performance.now() + WARMUP_MS;
  const end = from + seconds * 1000;
  await Promise.all(
    frames.map(
      (list) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
          const sentAt = new Map<string, number>();
          let next = 0;
          let timer: NodeJS.Timeout | undefined;
          const send = (): void => {
            if (next >= list.length || performance.now() > end) return;
            const f = list[next++]!;
            sentAt.set(f.id, performance.now());
            ws.send(f.text);
          };
          ws.on('open', () => {
            if (ratePerSec) {
              // Open loop: every 2 ms, send what the offered rate owes by now (timers may fire late).
              const start = performance.now();
              const perMs = ratePerSec / frames.length / 1000;
              timer = setInterval(() => {
                const owed = Math.floor((performance.now() - start) * perMs);
                while (next < owed && next < list.length && performance.now() <= end) send();
              }, 2);
            } else for (let i = 0; i < inflight; i++) send();
            setTimeout(() => clearInterval(timer), WARMUP_MS + seconds * 1000);
            setTimeout(() => ws.close(), WARMUP_MS + seconds * 1000 + 3000);
          });
          ws.on('message', (d) => {
            const r = JSON.parse(d.toString()) as { id: string; status: number; processTimeMs: number };
            const t = sentAt.get(r.id);
            if (t !== undefined && t >= from) {
              run.server.push(r.processTimeMs);
              // Latency of every answer that came back; throughput only of those inside the window.
              run.lat.push(performance.now() - t);
              if (performance.now() > end) run.late++;
              else if (r.status === 200) run.ok++;
              else run.other++;
            }
            if (!ratePerSec) send();
          });
          ws.on('close', () => resolve());
          ws.on('error', () => resolve());
        }),
    ),
  );
  return run;
}

export type HttpRequests = Array<Array<ReturnType<typeof buildHttpRequest>>>;

/** Pre-signed HTTP requests, one list per connection (signed before the timed run). */
export function httpRequests(port: number, bob: KeyringPair, eve: KeyringPair, connections: number, seconds: number): HttpRequests {
  const sign = makeSigner(bob);
  const perConn = Math.ceil((seconds * 6000) / connections);
  return Array.from({ length: connections }, (_, c) => {
    const base = clock.nowNs();
    return Array.from({ length: perConn }, (_, i) =>
      buildHttpRequest({
        synapse: 'Dummy',
        body: { dummy_input: i },
        timeoutSec: 12,
        address: bob.address,
        sign,
        uuid: `h${c}-${base}`,
        nonce: base + BigInt(i),
        axonHotkey: eve.address,
        axonIp: '127.0.0.1',
        axonPort: port,
        dendriteIp: '127.0.0.1',
      }),
    );
  });
}

/** Pre-signed btauth/1 or Epistula v2 requests in the same shape (bodies of the input fields only). */
export function signedFormRequests(form: 'btauth' | 'epistula', bob: KeyringPair, eve: KeyringPair, connections: number, seconds: number): HttpRequests {
  const sign = makeSigner(bob);
  const perConn = Math.ceil((seconds * 6000) / connections);
  return Array.from({ length: connections }, (_, c) => {
    const base = clock.nowNs();
    return Array.from({ length: perConn }, (_, i) => {
      const bodyText = JSON.stringify({ dummy_input: i });
      const r =
        form === 'btauth'
          ? buildBtAuthRequest({ pair: bob, sign, target: '/Dummy', bodyText, receiver: eve.address, nonce: base + BigInt(c * perConn + i) })
          : buildEpistulaRequest({ pair: bob, sign, target: '/Dummy', bodyText, signedFor: eve.address, uuid: `e${c}-${i}-${base}` });
      return { path: r.target, headers: r.headers, body: r.body };
    });
  });
}

/** Closed loop: one request at a time per connection, `all.length` connections. */
export async function httpLoad(port: number, all: HttpRequests, seconds: number): Promise<Run> {
  const run: Run = { ok: 0, other: 0, late: 0, seconds, lat: [], server: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: all.length });
  const from = performance.now() + WARMUP_MS;
  const end = from + seconds * 1000;
  await Promise.all(
    all.map(async (reqs) => {
      for (const r of reqs) {
        if (performance.now() > end) break;
        const t0 = performance.now();
        const status = await new Promise<number>((resolve) => {
          const q = request(
            { host: '127.0.0.1', port, method: 'POST', path: r.path, agent, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          q.on('error', () => resolve(0));
          q.end(r.body);
        });
        if (t0 < from) continue;
        run.lat.push(performance.now() - t0);
        if (status === 200) run.ok++;
        else run.other++;
      }
    }),
  );
  agent.destroy();
  return run;
}
