import { chmod, cp, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Copies the example wallets to `dest` with owner-only modes: git keeps no file modes, and
 * the wallet loader refuses key files that group or others can read.
 */
export async function prepareDevnetWallets(source: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true, mode: 0o700 });
  await cp(source, dest, { recursive: true, filter: (src) => !src.endsWith('README.md') });
  await restrictModes(dest);
}

async function restrictModes(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir)) {
    const p = join(dir, entry);
    const s = await stat(p);
    if (s.isDirectory()) await restrictModes(p);
    else await chmod(p, 0o600);
  }
}

export interface DevnetMinerConfigOpts {
  endpoint: string;
  netuid: number;
  walletPath: string;
  walletName?: string;
  hotkey?: string;
  axonPort: number;
  adminPort?: number;
  /** The chain refuses 127.0.0.1, so the miner announces this while listening on loopback. */
  externalIp?: string;
  extra?: Record<string, unknown>;
}

/** A complete miner config for a local devnet, valid against the config schema. */
export function devnetMinerConfig(o: DevnetMinerConfigOpts): Record<string, unknown> {
  const base: Record<string, unknown> = {
    network: { endpoints: [o.endpoint] },
    netuid: o.netuid,
    wallet: { path: o.walletPath, name: o.walletName ?? 'miner', hotkey: o.hotkey ?? 'default' },
    chain: { watchdogMs: 60_000, syncEveryBlocks: 5 },
    axon: { host: '127.0.0.1', port: o.axonPort, externalIp: o.externalIp ?? '10.0.0.1', externalPort: o.axonPort },
    monitor: { admin: { enabled: true, host: '127.0.0.1', port: o.adminPort ?? 9100 } },
  };
  return deepMerge(base, o.extra ?? {});
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base` key by key; arrays and scalars replace. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k];
    out[k] = isPlainObject(cur) && isPlainObject(v) ? deepMerge(cur, v) : v;
  }
  return out;
}

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
}

/** A loopback port that was free a moment ago (for configs that need a fixed port number). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
