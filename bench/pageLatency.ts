/**
 * OCR page latency as a validator sees it, request to answer: the compiled daemon on a devnet
 * (with the unit's node flags; give it the unit's allocator settings in the environment), pages
 * sent by a signed dendrite over HTTP in the SDK 10 form, one at a time by default, scored with
 * the tutorial's reward. The OCR answer cache is off, so every page is inferred.
 *
 *   npx tsc -p . && MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=33554432 \
 *     node dist/bench/pageLatency.js [corpus folders...]
 *   PAGEL_SHARP=N        sharp-rendered pages from the validator's generator (default 8; 0: none)
 *   PAGEL_CONCURRENCY=N  pages in flight at once (default 1; 64 measures a burst's pages/s)
 *   PAGEL_REPEAT=N       send each corpus N times (default 1)
 *   PAGEL_CFG='{...}'    inference config overrides, e.g. '{"devices":["cpu","cpu"]}'
 *   PAGEL_BLOCK_MS=N     devnet block interval (default 12000, mainnet's; the devnet shares the cores)
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Dendrite } from '../src/client/index.js';
import { systemClock } from '../src/util/index.js';
import { DEVNET_ROLES } from '../packages/devnet/src/index.js';
import { scoreResponse } from '../packages/validator-sim/src/index.js';
import { DevnetDaemon, unitNodeArgs } from './devnetDaemon.js';
import { loadCorpus, sharpCorpus, type CorpusPage } from './ocrCorpus.js';

const env = process.env;

interface Answer {
  ms: number;
  ok: boolean;
  score: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Sends `pages` with at most `concurrency` in flight; returns each answer and the wall time. */
async function sendAll(ask: (p: CorpusPage) => Promise<Answer>, pages: CorpusPage[], concurrency: number): Promise<{ answers: Answer[]; wallMs: number }> {
  const answers: Answer[] = [];
  let next = 0;
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (next < pages.length) answers.push(await ask(pages[next++]!));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pages.length) }, lane));
  return { answers, wallMs: performance.now() - t0 };
}

function report(name: string, answers: Answer[], wallMs: number, concurrency: number): void {
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const ok = answers.filter((a) => a.ok);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  process.stdout.write(
    `${name}: pages ${answers.length} (${answers.length - ok.length} failed), concurrency ${concurrency} | ` +
      `ms request to answer: p50 ${pct(ms, 50).toFixed(0)} p90 ${pct(ms, 90).toFixed(0)} mean ${mean(ms).toFixed(0)} max ${pct(ms, 100).toFixed(0)} | ` +
      `${((answers.length * 1000) / wallMs).toFixed(2)} pages/s | score without time term ${mean(ok.map((a) => a.score)).toFixed(3)}\n`,
  );
}

/** The daemon's resident memory now and at its peak (Linux /proc), in MiB. */
async function daemonMemory(pid: number | undefined): Promise<string> {
  if (pid === undefined) return 'not running';
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const mib = (key: string) => {
    const kb = Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return Number.isFinite(kb) ? (kb / 1024).toFixed(0) : '?';
  };
  return `RSS ${mib('VmRSS')} MiB, peak ${mib('VmHWM')} MiB`;
}

async function main(): Promise<void> {
  await cryptoWaitReady();
  const concurrency = Number(env['PAGEL_CONCURRENCY'] ?? 1);
  const repeat = Number(env['PAGEL_REPEAT'] ?? 1);
  const nSharp = Number(env['PAGEL_SHARP'] ?? 8);
  const corpora: [string, CorpusPage[]][] = [];
  for (const d of process.argv.slice(2)) corpora.push([basename(d), await loadCorpus(d)]);
  if (nSharp > 0) corpora.push(['sharp', await sharpCorpus(nSharp)]);
  const inference = JSON.parse(env['PAGEL_CFG'] ?? '{}') as Record<string, unknown>;
  const nodeArgs = unitNodeArgs();
  process.stdout.write(
    `pageLatency: node ${nodeArgs.join(' ')}, MALLOC_ARENA_MAX=${env['MALLOC_ARENA_MAX'] ?? '-'}, MALLOC_MMAP_THRESHOLD_=${env['MALLOC_MMAP_THRESHOLD_'] ?? '-'}, inference ${JSON.stringify(inference)}\n`,
  );
  const daemon = await DevnetDaemon.start(
    { rateLimit: { perHotkeyPerSec: 10_000, perHotkeyBurst: 10_000, perIpPerSec: 10_000, perIpBurst: 10_000 } },
    { inference, cache: { synapses: { OCRSynapse: { policy: 'off', dedupInFlight: false } } } },
    nodeArgs,
    // Mainnet's block time: the devnet's block building runs on the same two cores as the miner.
    Number(env['PAGEL_BLOCK_MS'] ?? 12_000),
  );
  const dendrite = new Dendrite(
    { pair: new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(DEVNET_ROLES.validatorHotkey.uri) },
    { clock: systemClock() },
  );
  const ask = async (p: CorpusPage): Promise<Answer> => {
    const a = await dendrite.query({
      host: '127.0.0.1',
      port: daemon.axonPort,
      axonHotkey: DEVNET_ROLES.minerHotkey.ss58,
      synapse: 'OCRSynapse',
      body: { base64_image: p.base64 },
      timeoutMs: 600_000,
      transport: 'http',
    });
    const ok = a.status === 200;
    return { ms: a.latencyMs, ok, score: ok ? scoreResponse(p.labels, a.body?.['response'], a.latencyMs / 1000).prediction : 0 };
  };
  try {
    // Two pages first: the first queries of a connection and of each shape pay for set-up.
    await sendAll(ask, corpora[0]?.[1].slice(0, 2) ?? [], 1);
    for (const [name, pages] of corpora) {
      const all = Array.from({ length: repeat }, () => pages).flat();
      const { answers, wallMs } = await sendAll(ask, all, concurrency);
      report(name, answers, wallMs, concurrency);
    }
    process.stdout.write(`daemon memory after the pages: ${await daemonMemory(daemon.pid)}\n`);
  } finally {
    await dendrite.close();
    await daemon.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`pageLatency failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
