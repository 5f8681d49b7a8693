/* Runs the compiled daemon (`subnet-miner run`) as a child process, as systemd would, and reads its JSON logs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { duplicateKeys } from './strictJson.js';
import { prepareDevnetWallets, devnetMinerConfig, writeJsonFile, freePort, type Devnet } from '../../packages/devnet/src/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export { freePort };

export type LogRecord = Record<string, unknown> & { msg?: string; level?: string };

export class DaemonProcess {
  readonly logs: LogRecord[] = [];
  /** Log lines that repeat a key or lack `module` (both break log shippers and queries). */
  readonly badLines: string[] = [];
  readonly stderr: string[] = [];
  private child: ChildProcess | undefined;
  exitCode: number | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly configPath: string,
    readonly axonPort: number,
    readonly adminPort: number,
    readonly dir: string,
  ) {}

  static async forDevnet(dn: Devnet, extra: Record<string, unknown> = {}): Promise<DaemonProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'miner-e2e-'));
    const walletPath = join(dir, 'wallets');
    await prepareDevnetWallets(join(ROOT, 'wallets.example'), walletPath);
    const [axonPort, adminPort] = [await freePort(), await freePort()];
    const cfg = devnetMinerConfig({ endpoint: dn.endpoint, netuid: dn.netuid, walletPath, axonPort, adminPort, extra });
    const configPath = join(dir, 'miner.config.json');
    await writeJsonFile(configPath, cfg);
    return new DaemonProcess(configPath, axonPort, adminPort, dir);
  }

  start(args: string[] = []): void {
    const child = spawn(process.execPath, [CLI, 'run', '--config', this.configPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MINER_DEBUG: '1' },
    });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const rec = JSON.parse(line) as LogRecord;
        this.logs.push(rec);
        if (duplicateKeys(line).length > 0 || typeof rec['module'] !== 'string') this.badLines.push(line);
      } catch {
        this.stderr.push(line);
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((res) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        res(code);
      }),
    );
  }

  async waitForLog(pred: (r: LogRecord) => boolean, timeoutMs = 180_000): Promise<LogRecord> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.logs.find(pred);
      if (hit) return hit;
      if (this.exitCode !== null) throw new Error(`daemon exited ${this.exitCode}: ${this.stderr.slice(-20).join('\n')}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for a log line; last: ${JSON.stringify(this.logs.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  /** SIGTERM, then SIGKILL after timeoutMs; resolves with the exit code. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.child || this.exitCode !== null) return this.exitCode;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    this.child.kill('SIGTERM');
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  waitExit(): Promise<number | null> {
    return this.exited;
  }

  /** Stops the daemon; fails the caller when any line it wrote repeated a key or lacked `module`. */
  async cleanup(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
    if (this.badLines.length > 0) {
      throw new Error(`daemon wrote ${this.badLines.length} log line(s) with a repeated key or without module:\n${this.badLines.slice(0, 5).join('\n')}`);
    }
  }
}
