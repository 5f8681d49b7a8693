import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';

export interface ChopsticksOpts {
  /** Raw chain spec (genesis) file. */
  chainspec: string;
  host: string;
  port: number;
  /** Storage written into genesis, as chopsticks' `import-storage` takes it (JSON is valid YAML). */
  importStorage: Record<string, unknown>;
  startTimeoutMs: number;
  logger: Logger;
}

const TAIL_LINES = 40;

/** Path of the installed chopsticks CLI, run directly with node so that one PID owns the chain. */
function chopsticksCli(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@acala-network/chopsticks');
  const marker = join('node_modules', '@acala-network', 'chopsticks');
  const at = main.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot locate chopsticks from ${main}`);
  return join(main.slice(0, at + marker.length), 'chopsticks.cjs');
}

/** One chopsticks process in Manual block mode: spawned, waited for, stopped. */
export class ChopsticksProcess {
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  private readonly tail: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  private readonly onProcessExit = (): void => {
    this.child?.kill('SIGKILL');
  };

  constructor(private readonly opts: ChopsticksOpts) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts chopsticks and resolves with its WebSocket endpoint once it listens. */
  async start(): Promise<string> {
    this.dir = await mkdtemp(join(tmpdir(), 'subnet-miner-devnet-'));
    const cfgPath = join(this.dir, 'chopsticks.json');
    const cfg = {
      genesis: this.opts.chainspec,
      port: this.opts.port,
      host: this.opts.host,
      'build-block-mode': 'Manual',
      'allow-unresolved-imports': true,
      'import-storage': this.opts.importStorage,
    };
    await writeFile(cfgPath, JSON.stringify(cfg, null, 2));
    const child = spawn(process.execPath, [chopsticksCli(), '-c', cfgPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: process.env['CHOPSTICKS_LOG_LEVEL'] ?? 'info' },
    });
    this.child = child;
    process.once('exit', this.onProcessExit);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    return this.waitListening(child);
  }

  private waitListening(child: ChildProcess): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`chopsticks did not start within ${this.opts.startTimeoutMs} ms`)), this.opts.startTimeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(new Error(`${err.message}\n${this.tail.join('\n')}`));
      };
      const onLine = (line: string): void => {
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
        this.opts.logger.trace({ line }, 'chopsticks');
        const m = /listening on .*?ws:\/\/([^\s:]+):(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(`ws://${m[1]}:${m[2]}`);
        }
      };
      for (const stream of [child.stdout, child.stderr]) {
        let buf = '';
        stream?.setEncoding('utf8');
        stream?.on('data', (chunk: string) => {
          buf += chunk;
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          for (const l of lines) onLine(l);
          if (buf.length > 64 * 1024) buf = '';
        });
      }
      child.once('exit', (code, sig) => fail(new Error(`chopsticks exited (code ${code}, signal ${sig}) before listening`)));
      child.once('error', (err) => fail(err));
    });
  }

  /** Recent output lines, for error reports. */
  recentOutput(): string {
    return this.tail.join('\n');
  }

  /** SIGTERM, then SIGKILL after graceMs; idempotent. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    this.child = undefined;
    process.removeListener('exit', this.onProcessExit);
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
