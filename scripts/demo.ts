/**
 * `npm run demo`: the whole loop on a local devnet. Starts chopsticks with the real subtensor
 * runtime, bootstraps a subnet, starts the miner daemon and a validator (both as the CLI runs
 * them), lets the chain run through epochs, and stops once the miner's standing report shows
 * non-zero incentive and emission.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startDevnet, prepareDevnetWallets, devnetMinerConfig, writeJsonFile, freePort, type Devnet } from '../packages/devnet/src/index.js';
import { createRootLogger } from '../src/util/index.js';

const DEMO_TIMEOUT_MS = Number(process.env['DEMO_TIMEOUT_MS'] ?? 8 * 60_000);
const BLOCK_MS = Number(process.env['DEMO_BLOCK_MS'] ?? 1_000);
const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
// The validator simulator is its own workspace package (packages/validator-sim), built into dist/ too.
const VALIDATE_CLI = join(process.cwd(), 'packages', 'validator-sim', 'bin', 'subnet-miner-validate.js');
/** Raw JSON logs of the miner and the validator stay here after the demo (git-ignored). */
const LOG_DIR = join(process.cwd(), '.devnet', 'demo-logs');

interface Standing {
  incentive?: number;
  emissionPerEpochRao?: string | number;
  position?: number;
  minersCount?: number;
  uid?: number;
}

function say(msg: string): void {
  process.stdout.write(`[demo] ${msg}\n`);
}

/** Spawns a CLI command and hands each JSON log line to onLine. */
function spawnCli(tag: string, cli: string, args: string[], onLine: (rec: Record<string, unknown>) => void): ChildProcess {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const raw = createWriteStream(join(LOG_DIR, `${tag}.log`));
  child.once('exit', () => raw.end());
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      raw.write(`${line}\n`);
      try {
        onLine(JSON.parse(line) as Record<string, unknown>);
      } catch {
        process.stdout.write(`[${tag}] ${line}\n`);
      }
    });
  }
  return child;
}

function stopChild(child: ChildProcess | undefined, timeoutMs = 20_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function describeStanding(rec: Record<string, unknown>): string {
  const s = rec as Standing & Record<string, unknown>;
  return (
    `uid=${s.uid} incentive=${Number(s.incentive ?? 0).toFixed(4)} emission/epoch=${String(s['emissionPerEpoch'])} ` +
    `${String(s['emissionUnit'] ?? '')} (~${String(s['emissionPerDay'])}/day) position=${String(s['positionText'] ?? '?')} ` +
    `stake=${String(s['stake'] ?? '?')} block=${String(s['block'])}`
  );
}

function isPaying(rec: Record<string, unknown>): boolean {
  return Number(rec['incentive'] ?? 0) > 0 && Number(rec['emissionPerEpochRao'] ?? 0) > 0;
}

interface DemoProcs {
  devnet?: Devnet;
  miner?: ChildProcess;
  validator?: ChildProcess;
  dir?: string;
}

async function runDemo(procs: DemoProcs): Promise<boolean> {
  const logger = createRootLogger({ level: 'warn' });
  say(`starting the local subtensor devnet (chopsticks, ${process.env['SUBTENSOR_CHAINSPEC'] ?? 'spec 103'}); this takes 20-60 s`);
  procs.devnet = await startDevnet({ blockIntervalMs: BLOCK_MS, logger });
  const dn = procs.devnet;
  say(`devnet ready at ${dn.endpoint}: netuid ${dn.netuid}, tempo ${dn.tempo}, a block every ${BLOCK_MS} ms`);

  procs.dir = await mkdtemp(join(tmpdir(), 'subnet-miner-demo-'));
  await mkdir(LOG_DIR, { recursive: true });
  const walletPath = join(procs.dir, 'wallets');
  await prepareDevnetWallets(join(process.cwd(), 'wallets.example'), walletPath);
  const [axonPort, adminPort] = [await freePort(), await freePort()];
  const minerConfig = devnetMinerConfig({
    endpoint: dn.endpoint,
    netuid: dn.netuid,
    walletPath,
    axonPort,
    adminPort,
    extra: { monitor: { admin: { enabled: true, host: '127.0.0.1', port: adminPort }, standingCron: '*/10 * * * * *' } },
  });
  const configPath = join(procs.dir, 'miner.config.json');
  await writeJsonFile(configPath, minerConfig);

  let paying: Record<string, unknown> | undefined;
  let serving = false;
  say(`starting the miner: subnet-miner run --config ${configPath}`);
  procs.miner = spawnCli('miner', CLI, ['run', '--config', configPath], (rec) => {
    const msg = String(rec['msg'] ?? '');
    if (msg === 'miner serving') serving = true;
    if (msg === 'standing report') {
      say(`miner standing: ${describeStanding(rec)}`);
      if (isPaying(rec)) paying = rec;
    } else if (rec['level'] === 'error' || rec['level'] === 'fatal') {
      say(`miner ${String(rec['level'])}: ${msg} ${JSON.stringify(rec)}`);
    } else if (['miner serving', 'axon announced on chain (serve_axon)', 'own neuron found', 'models loaded'].includes(msg)) {
      say(`miner: ${msg}`);
    }
  });
  const t0 = Date.now();
  while (!serving && Date.now() - t0 < 180_000 && procs.miner.exitCode === null) await sleep(500);
  if (!serving) {
    say('the miner did not start serving');
    return false;
  }

  say('starting the validator: subnet-miner-validate (OCR invoices over HTTP, weights every tempo)');
  procs.validator = spawnCli(
    'validator',
    VALIDATE_CLI,
    [
      '--endpoint',
      dn.endpoint,
      '--netuid',
      String(dn.netuid),
      '--wallet-path',
      walletPath,
      '--wallet',
      'validator',
      '--hotkey',
      'default',
      '--miner-host',
      '127.0.0.1',
      '--timeout-ms',
      '60000',
    ],
    (rec) => {
      const msg = String(rec['msg'] ?? '');
      if (msg === 'miner scored' || msg === 'weights set' || rec['level'] === 'warn' || rec['level'] === 'error') {
        say(
          `validator: ${msg} ${JSON.stringify(pick(rec, ['uid', 'status', 'score', 'text', 'position', 'font', 'latencyMs', 'block', 'uids', 'weights', 'chainError', 'message', 'code']))}`,
        );
      }
    },
  );

  while (!paying && Date.now() - t0 < DEMO_TIMEOUT_MS && procs.miner.exitCode === null) await sleep(1_000);
  if (!paying) {
    say('no paying standing report before the time limit');
    return false;
  }
  say(`the miner earns: ${describeStanding(paying)}`);
  say(`raw JSON logs: ${LOG_DIR}/miner.log and validator.log`);
  return true;
}

function pick(rec: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => rec[k] !== undefined).map((k) => [k, rec[k]]));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function shutdown(procs: DemoProcs): Promise<void> {
  say('stopping validator, miner and devnet');
  await stopChild(procs.validator);
  await stopChild(procs.miner);
  await procs.devnet?.stop();
  if (procs.dir) await rm(procs.dir, { recursive: true, force: true });
}

const procs: DemoProcs = {};
let interrupted = false;
const onSignal = (): void => {
  if (interrupted) process.exit(130);
  interrupted = true;
  void shutdown(procs).finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runDemo(procs)
  .then(async (ok) => {
    await shutdown(procs);
    say(ok ? 'demo complete' : 'demo FAILED');
    process.exit(ok ? 0 : 1);
  })
  .catch(async (err: unknown) => {
    say(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(procs);
    process.exit(1);
  });
