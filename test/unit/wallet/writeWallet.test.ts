import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchDir } from '../../helpers/scratchDir.js';
import { keyFileDocs, walletFiles, writeWallet } from '../../../src/wallet/index.js';
import { DEV_KEYS } from '../../../packages/devnet/src/devKeys.js';

const scratch = useScratchDir('miner-wallet-test-');

describe('writeWallet', () => {
  it('writes the btwallet layout with owner-only secrets, whatever the umask', async () => {
    const root = await mkdtemp(join(scratch(), 'write-'));
    const old = process.umask(0o022);
    try {
      const w = await writeWallet(root, 'v', { coldkey: { seed: DEV_KEYS.charlie.seed }, hotkeys: { default: { seed: DEV_KEYS.bob.seed } } });
      expect(w.coldkeySs58).toBe(DEV_KEYS.charlie.ss58);
      expect(w.hotkeys['default']?.ss58).toBe(DEV_KEYS.bob.ss58);
    } finally {
      process.umask(old);
    }
    const f = walletFiles({ path: root, name: 'v', hotkey: 'default' });
    expect((await stat(f.hotkeyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(f.coldkeyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(f.dir, 'hotkeys'))).mode & 0o077).toBe(0);
    const hot = JSON.parse(await readFile(f.hotkeyFile, 'utf8')) as Record<string, unknown>;
    expect(hot).toMatchObject({ secretSeed: DEV_KEYS.bob.seed, ss58Address: DEV_KEYS.bob.ss58, secretPhrase: null });
    expect(hot['privateKey']).toBeUndefined();
    const pub = JSON.parse(await readFile(f.hotkeyPubFile, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(pub).sort()).toEqual(['accountId', 'publicKey', 'ss58Address']);
  });

  it('keyFileDocs from a phrase records both the phrase and its mini secret', async () => {
    const docs = await keyFileDocs({ phrase: 'bottom drive obey lake curtain smoke basket hold race lonely fit walk' });
    const doc = JSON.parse(docs.secretJson) as Record<string, unknown>;
    expect(doc['secretSeed']).toBe('0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e');
    expect(docs.ss58).toBe('5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV');
  });
});
