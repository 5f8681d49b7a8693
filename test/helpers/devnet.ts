/* Devnet helpers for e2e tests: a bootstrapped chopsticks subtensor per spec, and a TCP proxy to cut the chain away. */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { startDevnet, type Devnet, type DevnetOpts } from '../../packages/devnet/src/index.js';

export { DEVNET_ROLES, DEV_KEYS, type Devnet, type DevnetOpts } from '../../packages/devnet/src/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CHAINSPECS = {
  103: resolve(ROOT, '..', 'shared', 'chainspecs', 'subtensor-testfinney-spec103.raw.json'),
  218: resolve(ROOT, '..', 'shared', 'chainspecs', 'subtensor-raonet-spec218.raw.json'),
} as const;

export type SpecName = keyof typeof CHAINSPECS;
export const SPECS: SpecName[] = [103, 218];

/**
 * A bootstrapped devnet on an ephemeral loopback port: netuid 1, tempo 10, validator //Bob
 * (coldkey //Charlie) with permit, miner //Eve (coldkey //Dave). Blocks every blockIntervalMs
 * (default 1000 here; 0 = only on newBlocks()). Always call stop().
 */
export function startTestDevnet(opts: DevnetOpts & { spec?: SpecName } = {}): Promise<Devnet> {
  const { spec, ...rest } = opts;
  return startDevnet({ chainspec: CHAINSPECS[spec ?? 103], blockIntervalMs: 1_000, port: 0, ...rest });
}

/** A TCP proxy in front of the devnet: `down()` drops every connection and refuses new ones, `up()` listens again on the same port. */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  get endpoint(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.port, '127.0.0.1', () => res());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((res) => server.close(() => res()));
  }

  /** Open client connections right now (at most one per chain client is the invariant under test). */
  connections(): number {
    return this.sockets.size / 2;
  }
}

export function endpointPort(endpoint: string): number {
  return Number(new URL(endpoint).port);
}
