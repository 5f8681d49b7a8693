import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';

/** A real redis-server (Debian package) on loopback, started and stopped by the test that owns it. */
export class RedisServer {
  private proc: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly password: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--requirepass',
        this.password,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    this.proc = proc;
    const until = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode} (port ${this.port} taken?)`);
      const probe = this.client({ lazyConnect: true, retryStrategy: () => null });
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .catch(() => undefined);
      probe.disconnect();
      if (ok === 'PONG') return;
      if (Date.now() > until) throw new Error('redis-server did not come up');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await gone;
  }

  /** A plain client for the test's own checks. */
  client(extra: Record<string, unknown> = {}): Redis {
    const r = new Redis({ port: this.port, host: '127.0.0.1', password: this.password, maxRetriesPerRequest: 1, ...extra });
    r.on('error', () => {});
    return r;
  }
}

/** A port in the cache engineer's range 16379-16389, spread so parallel runs rarely collide. */
export function cachePort(offset: number): number {
  return 16379 + ((offset + Math.floor(Math.random() * 11)) % 11);
}
