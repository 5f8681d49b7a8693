/**
 * Ingress fuzzer: malformed HTTP and WebSocket input from many families against the running
 * daemon, judged by runner.ts's oracle. By default it starts its own devnet and daemon (build
 * first: `npx tsc -p .`), with a 3 MiB payload limit and per-IP limits out of the way (the
 * per-hotkey limits stay at their defaults: forged claims must not spend the validator's).
 *
 *   node dist/bench/fuzz.js [--seed 1] [--cases 10000] [--case 4711[,4712]] [--start 0]
 *     [--concurrency 8] [--check-every 200] [--max-seconds 900] [--families a,b] [--list]
 *     [--target 127.0.0.1:8091 --axon-hotkey <ss58> [--max-payload 16777216] [--no-ip-limits]]
 *
 * With --target, a 429 to a forged claim is taken for the per-IP limit unless --no-ip-limits
 * says the target lifted it. Exits 1 on any failure. Only 127.0.0.1 may be targeted.
 */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { DEVNET_ROLES } from '../packages/devnet/src/index.js';
import { DevnetDaemon } from './devnetDaemon.js';
import { FAMILIES } from './fuzz/families.js';
import { formatSummary } from './fuzz/report.js';
import { FUZZ_DAEMON_AXON, HOST, runFuzz, type FuzzTarget } from './fuzz/runner.js';

function args(): Map<string, string> {
  const out = new Map<string, string>();
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const k = a[i]!;
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    const v = a[i + 1];
    if (v === undefined || v.startsWith('--')) out.set(k.slice(2), 'true');
    else {
      out.set(k.slice(2), v);
      i++;
    }
  }
  return out;
}

function num(a: Map<string, string>, k: string, d: number): number {
  const v = a.get(k);
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a non-negative number`);
  return n;
}

function caseList(a: Map<string, string>): number[] {
  const one = a.get('case');
  if (one) return one.split(',').map((x) => Number(x));
  const start = num(a, 'start', 0);
  const count = Math.min(num(a, 'cases', 1000), 1_000_000);
  const only = a.get('families')?.split(',');
  const idx = only ? FAMILIES.map((f, i) => (only.includes(f.name) ? i : -1)).filter((i) => i >= 0) : null;
  if (only && idx!.length === 0) throw new Error('--families matched none; see --list');
  const out: number[] = [];
  for (let n = start; out.length < count; n++) if (!idx || idx.includes(n % FAMILIES.length)) out.push(n);
  return out;
}

async function main(): Promise<void> {
  const a = args();
  if (a.has('list')) {
    FAMILIES.forEach((f, i) => console.log(`${i}\t${f.name}`));
    return;
  }
  const seed = num(a, 'seed', 1);
  const cases = caseList(a);
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const validator = keyring.addFromUri(a.get('validator-uri') ?? DEVNET_ROLES.validatorHotkey.uri);
  const stranger = keyring.addFromUri('//Ferdie');
  let own: DevnetDaemon | undefined;
  let target: FuzzTarget;
  const tgt = a.get('target');
  if (tgt) {
    const [host, port] = tgt.split(':');
    if (host !== HOST) throw new Error('only 127.0.0.1 may be targeted');
    const axonHotkey = a.get('axon-hotkey');
    if (!axonHotkey) throw new Error('--target needs --axon-hotkey');
    // A daemon we did not configure keeps its per-IP limits unless told otherwise.
    target = { port: Number(port), axonHotkey, maxPayloadBytes: num(a, 'max-payload', 16 * 1024 * 1024), ipLimited: !a.has('no-ip-limits') };
  } else {
    console.log('starting a devnet and the daemon ...');
    own = await DevnetDaemon.start(FUZZ_DAEMON_AXON);
    const d = own;
    target = {
      port: d.axonPort,
      axonHotkey: DEVNET_ROLES.minerHotkey.ss58,
      maxPayloadBytes: FUZZ_DAEMON_AXON.maxPayloadBytes,
      alive: () => d.alive(),
      lastWords: () => d.lastWords(),
      restart: () => d.launch(),
    };
    console.log(`daemon pid ${d.pid} serving on 127.0.0.1:${d.axonPort}`);
  }
  const every = Math.max(1, num(a, 'check-every', 200));
  try {
    const s = await runFuzz(target, {
      seed,
      cases,
      concurrency: Math.max(1, num(a, 'concurrency', 8)),
      checkEvery: every,
      maxSeconds: num(a, 'max-seconds', 900),
      validator,
      stranger,
      log: (l) => console.log(`  ${l}`),
    });
    if (a.has('case'))
      for (const r of s.results) console.log(`#${r.n} ${r.family}: ${r.note}\n  -> ${r.outcome}${r.failure ? `\n  FAILED: ${r.failure}` : ''}`);
    console.log(formatSummary(s, seed, 'node dist/bench/fuzz.js'));
    process.exitCode = s.failures.length === 0 && s.results.length > 0 ? 0 : 1;
  } finally {
    await own?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
