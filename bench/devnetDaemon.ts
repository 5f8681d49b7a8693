/**
 * For benches that need the whole miner: a chopsticks devnet (spec 103, validator //Bob, miner
 * //Eve) and the compiled daemon (`subnet-miner run`) as a child process, as systemd runs it.
 * Build first (`npx tsc -p .`): the daemon runs from dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { devnetMinerConfig, freePort, prepareDevnetWallets, startDevnet, writeJsonFile, type Devnet } from '../packages/devnet/src/index.js';

/** Compiled to dist/bench/: the repository root is two levels up. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const SPEC103 = process.env['SUBTENSOR_CHAINSPEC'] ?? resolve(ROOT, '..', 'shared', 'chainspecs', 'subtensor-testfinney-spec103.raw.json');

/** The node flags of systemd/subnet-miner.service's ExecStart (between the binary and the script). */
export function unitNodeArgs(): string[] {
  const unit = readFileSync(join(ROOT, 'systemd', 'subnet-miner.service'), 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
  const script = exec.findIndex((a, i) => i > 0 && !a.startsWith('-'));
  return exec.slice(1, script < 0 ? 1 : script);
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: string | number };

export class DevnetDaemon {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  exitCode: number | null = null;
  exitSignal: string | null = null;
  /** The last lines of the daemon's output, bounded. */
  readonly tail: string[] = [];
  private serving = false;
  private readonly keep = 400;

  private constructor(
    readonly devnet: Devnet,
    readonly dir: string,
    readonly configPath: string,
    readonly axonPort: number,
    private readonly nodeArgs: string[] = [],
  ) {}

  /**
   * `axon` is merged into the daemon's axon config (payload limits, rate limits); `extra` replaces
   * whole sections (OCR is off unless `extra.inference` says otherwise); `nodeArgs` go before the script.
   * The devnet builds a block every `blockIntervalMs` on the same cores (mainnet: 12 s).
   */
  static async start(
    axon: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
    nodeArgs: string[] = [],
    blockIntervalMs = 1_000,
  ): Promise<DevnetDaemon> {
    const devnet = await startDevnet({ chainspec: SPEC103, blockIntervalMs, port: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'miner-bench-'));
    const walletPath = join(dir, 'wallets');
    await prepareDevnetWallets(join(ROOT, 'wallets.example'), walletPath);
    const [axonPort, adminPort] = [await freePort(), await freePort()];
    const cfg = devnetMinerConfig({
      endpoint: devnet.endpoint,
      netuid: devnet.netuid,
      walletPath,
      axonPort,
      adminPort,
      extra: { inference: { ocr: { enabled: false } }, shutdown: { drainMs: 2_000 }, axon, ...extra },
    });
    const configPath = join(dir, 'miner.config.json');
    await writeJsonFile(configPath, cfg);
    const d = new DevnetDaemon(devnet, dir, configPath, axonPort, nodeArgs);
    await d.launch();
    return d;
  }

  /** Starts the daemon process and waits for 'miner serving'. */
  async launch(timeoutMs = 120_000): Promise<void> {
    this.serving = false;
    this.exitCode = null;
    this.exitSignal = null;
    const child = spawn(process.execPath, [...this.nodeArgs, CLI, 'run', '--config', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onLine = (line: string): void => {
      this.tail.push(line);
      if (this.tail.length > this.keep) this.tail.splice(0, this.tail.length - this.keep);
      if (line.includes('"miner serving"')) this.serving = true;
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    this.exited = new Promise((res) =>
      child.once('exit', (code, sig) => {
        this.exitCode = code ?? -1;
        this.exitSignal = sig;
        res();
      }),
    );
    const t0 = Date.now();
    while (!this.serving) {
      if (this.exitCode !== null) throw new Error(`daemon exited ${this.exitCode} while starting:\n${this.tail.slice(-20).join('\n')}`);
      if (Date.now() - t0 > timeoutMs) throw new Error('daemon did not report "miner serving" in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  alive(): boolean {
    return this.child !== undefined && this.exitCode === null;
  }

  /** Lines that explain a death: fatal/error records and anything that is not JSON (a raw stack). */
  lastWords(n = 15): string[] {
    return this.tail.filter((l) => !l.startsWith('{') || /"level":(50|60|"error"|"fatal")/.test(l)).slice(-n);
  }

  async stopDaemon(timeoutMs = 10_000): Promise<void> {
    if (!this.alive()) return;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    this.child!.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.stopDaemon();
    await this.devnet.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
