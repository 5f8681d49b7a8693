/**
 * Runs fuzz cases against an axon on 127.0.0.1 and judges them. The oracle: the daemon stays
 * alive; no 5xx but 503; no WebSocket close 1011; a case's own contract (expect) holds; and after
 * every `checkEvery` cases a validly signed query from the validator gets 200 over HTTP and
 * over WebSocket. Closing the connection or a 1002/1007/1008/1009 close is a legitimate answer.
 */
import type { KeyringPair } from '@polkadot/keyring/types';
import { makeSigner } from '../../src/axon/index.js';
import { Dendrite } from '../../src/client/index.js';
import { systemClock } from '../../src/util/index.js';
import type { FuzzCase, FuzzContext } from './caseKit.js';
import { runExchange, type Heard } from './exchange.js';
import { FAMILIES, familyOf } from './families.js';
import { Rng } from './rng.js';

export interface FuzzTarget {
  port: number;
  axonHotkey: string;
  maxPayloadBytes: number;
  /** Per-IP limits apply to unproven traffic (a default config); see FuzzContext.ipLimited. */
  ipLimited?: boolean;
  /** The daemon process is alive (undefined: not ours to watch; refused connections tell). */
  alive?: () => boolean;
  /** Why it died, for the report. */
  lastWords?: () => string[];
  /** Brings a dead daemon back so the run can go on; absent: the run stops at the first death. */
  restart?: () => Promise<void>;
}

export interface FuzzOpts {
  seed: number;
  /** Case numbers to run, in order. */
  cases: number[];
  concurrency: number;
  checkEvery: number;
  maxSeconds: number;
  validator: KeyringPair;
  stranger: KeyringPair;
  log?: (line: string) => void;
}

export interface CaseResult {
  n: number;
  family: string;
  note: string;
  outcome: string;
  ms: number;
  failure?: string;
}

export interface FuzzSummary {
  results: CaseResult[];
  failures: Array<{ n: number | null; family: string; note: string; why: string }>;
  checks: { passed: number; failed: number };
  deaths: number;
  seconds: number;
  stoppedEarly: string | null;
}

export const HOST = '127.0.0.1';

/**
 * The axon config of a daemon started for fuzzing: a 3 MiB payload limit (room for 10^6 levels
 * of nesting, cheap "far over" frames) and per-IP limits out of the way; per-hotkey limits stay
 * at their defaults, so forged claims that spent the validator's budget would fail the checks.
 */
export const FUZZ_DAEMON_AXON = {
  maxPayloadBytes: 3 * 1024 * 1024,
  rateLimit: { perIpPerSec: 1e9, perIpBurst: 1e9 },
};

/** A short class name for what the server did. */
export function outcomeOf(h: Heard): string {
  const upgraded = h.http.at(-1) === 101;
  const parts: string[] = [];
  const httpStatuses = upgraded ? [] : [...new Set(h.http)];
  if (httpStatuses.length > 0) parts.push(`http ${httpStatuses.join('+')}`);
  if (upgraded && h.ws.length > 0) parts.push(`ws ${[...new Set(h.ws)].sort().join('+')}`);
  if (h.wsClose !== undefined) parts.push(`close ${h.wsClose}`);
  if (parts.length === 0) parts.push(upgraded ? `upgraded, no frame back (${h.end})` : `no answer (${h.end})`);
  return parts.join(', ');
}

/** The oracle's verdict on one case (contract included); null when it passed. */
export function judge(c: FuzzCase, h: Heard): string | null {
  const fivexx = [...h.http, ...h.ws].filter((s) => s >= 500 && s !== 503);
  if (fivexx.length > 0) return `answered ${[...new Set(fivexx)].join('/')}`;
  if (h.wsClose === 1011) return 'closed 1011 (internal error)';
  if (h.end === 'refused') return 'connection refused (daemon down?)';
  return c.expect?.(h) ?? null;
}

export function buildCase(seed: number, n: number, ctx: FuzzContext): FuzzCase {
  return familyOf(n).gen(new Rng(seed, n), ctx);
}

export function makeContext(t: FuzzTarget, validator: KeyringPair, stranger: KeyringPair): FuzzContext {
  const clock = systemClock();
  let last = 0n;
  return {
    port: t.port,
    axonHotkey: t.axonHotkey,
    maxPayloadBytes: t.maxPayloadBytes,
    ipLimited: t.ipLimited ?? false,
    validator: { address: validator.address, sign: makeSigner(validator) },
    stranger: { address: stranger.address, sign: makeSigner(stranger) },
    nowNs: () => {
      const now = clock.nowNs();
      last = now > last ? now : last + 1n;
      return last;
    },
  };
}

/**
 * The validator's own signed queries in the cases charge its per-hotkey budget (50/s, burst
 * 100) too, so a 429 here is retried once after the bucket refilled; a budget spent by
 * forgeries shows in the forged-claims cases themselves, which must never see a 429.
 */
async function validCheck(d: Dendrite, t: FuzzTarget, k: number): Promise<string | null> {
  const wrong: string[] = [];
  for (const transport of ['http', 'ws'] as const) {
    const q = { host: HOST, port: t.port, axonHotkey: t.axonHotkey, synapse: 'Dummy', body: { dummy_input: k }, timeoutMs: 10_000, transport };
    let a = await d.query(q);
    if (a.status === 429) {
      await new Promise((r) => setTimeout(r, 2_500));
      a = await d.query(q);
    }
    if (a.status !== 200 || a.body?.['dummy_output'] !== 2 * k) wrong.push(`${transport} ${a.status} ${a.message}`);
  }
  return wrong.length === 0 ? null : wrong.join('; ');
}

/** Runs `opts.cases` in batches of `checkEvery`, `concurrency` at a time, each batch followed by the valid check. */
export async function runFuzz(t: FuzzTarget, o: FuzzOpts): Promise<FuzzSummary> {
  const ctx = makeContext(t, o.validator, o.stranger);
  const s: FuzzSummary = { results: [], failures: [], checks: { passed: 0, failed: 0 }, deaths: 0, seconds: 0, stoppedEarly: null };
  const t0 = performance.now();
  let dendrite = new Dendrite({ pair: o.validator, verifyResponses: true }, { clock: systemClock() });
  const elapsed = (): number => (performance.now() - t0) / 1000;
  try {
    for (let b = 0; b < o.cases.length && s.stoppedEarly === null; b += o.checkEvery) {
      const batch = o.cases.slice(b, b + o.checkEvery);
      await runBatch(batch, o, t, ctx, s, elapsed);
      if (t.alive && !t.alive()) {
        if (!(await recordDeath(t, batch, s, o))) break;
        await dendrite.close();
        dendrite = new Dendrite({ pair: o.validator }, { clock: systemClock() });
      }
      const bad = await validCheck(dendrite, t, b % 1000);
      if (bad === null) s.checks.passed++;
      else {
        s.checks.failed++;
        s.failures.push({ n: null, family: '-', note: `valid check after case ${batch.at(-1)}`, why: bad });
      }
      o.log?.(`${Math.min(b + o.checkEvery, o.cases.length)}/${o.cases.length} cases, ${s.failures.length} failures, ${elapsed().toFixed(0)} s`);
      if (elapsed() > o.maxSeconds && b + o.checkEvery < o.cases.length) s.stoppedEarly = `time bound ${o.maxSeconds} s`;
    }
  } finally {
    await dendrite.close();
  }
  s.seconds = elapsed();
  return s;
}

/** Notes a dead daemon and restarts it when the target can; false: the run must stop. */
async function recordDeath(t: FuzzTarget, batch: number[], s: FuzzSummary, o: FuzzOpts): Promise<boolean> {
  s.deaths++;
  const words = t.lastWords?.() ?? [];
  const suspects = s.results.filter((r) => batch.includes(r.n) && r.outcome.includes('no answer')).map((r) => r.n);
  s.failures.push({
    n: null,
    family: '-',
    note: `cases ${batch[0]}..${batch.at(-1)}; unanswered: ${suspects.slice(0, 20).join(', ')}`,
    why: `daemon died\n      ${words.join('\n      ')}`,
  });
  o.log?.(`daemon died during cases ${batch[0]}..${batch.at(-1)}`);
  if (!t.restart) {
    s.stoppedEarly = 'daemon died';
    return false;
  }
  await t.restart();
  return true;
}

async function runBatch(batch: number[], o: FuzzOpts, t: FuzzTarget, ctx: FuzzContext, s: FuzzSummary, elapsed: () => number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batch.length && elapsed() <= o.maxSeconds) {
      const n = batch[next++]!;
      const c = buildCase(o.seed, n, ctx);
      const h = await runExchange(HOST, t.port, c.ex);
      const failure = judge(c, h);
      const r: CaseResult = { n, family: c.family, note: c.note, outcome: outcomeOf(h), ms: h.ms };
      if (failure) {
        r.failure = failure;
        s.failures.push({ n, family: c.family, note: c.note, why: failure });
      }
      s.results.push(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
}

export function familyNames(): string[] {
  return FAMILIES.map((f) => f.name);
}
