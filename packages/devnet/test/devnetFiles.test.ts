import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { configSchema } from '../../../src/config/index.js';
import { DEV_KEYS, devnetMinerConfig, freePort, prepareDevnetWallets } from '../src/index.js';

describe('devnet files', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('devnetMinerConfig is a valid daemon config, and extra merges key by key', () => {
    const cfg = devnetMinerConfig({
      endpoint: 'ws://127.0.0.1:9944',
      netuid: 3,
      walletPath: '/tmp/w',
      axonPort: 8091,
      extra: { axon: { concurrency: 4 } },
    });
    expect(() => configSchema.parse(cfg)).not.toThrow();
    expect(cfg['axon']).toMatchObject({ port: 8091, externalIp: '10.0.0.1', concurrency: 4 });
  });

  it('prepareDevnetWallets copies the example wallets with owner-only modes', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'devnet-wallets-'));
    dirs.push(dest);
    await prepareDevnetWallets(resolve('wallets.example'), dest);
    const key = await stat(join(dest, 'miner', 'hotkeys', 'default'));
    expect(key.mode & 0o777).toBe(0o600);
    expect((await stat(dest)).mode & 0o777).toBe(0o700);
  });

  it('freePort finds a bindable port', async () => {
    expect(await freePort()).toBeGreaterThan(0);
  });

  it('the dev keys are the well-known //Alice.. //Eve sr25519 keys', async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    for (const k of Object.values(DEV_KEYS)) expect(keyring.addFromUri(k.uri).address).toBe(k.ss58);
  });
});
