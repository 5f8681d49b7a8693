import { chmod, cp, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../../helpers/scratchDir.js';
import { signatureVerify } from '@polkadot/util-crypto';
import { loadHotkey, readColdkeyPub, readHotkeyPub, walletFiles, writeWallet } from '../../../src/wallet/index.js';
import { DEV_KEYS } from '../../../packages/devnet/src/devKeys.js';
import { WalletError } from '../../../src/util/errors.js';

const scratch = useScratchDir('miner-wallet-test-');

const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const DEV_PHRASE_SS58 = '5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV';
const SECRETS = [DEV_KEYS.eve.seed.slice(2), 'bottom drive obey'];

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(scratch(), 'wallet-'));
  await writeWallet(root, 'miner', {
    coldkey: { seed: DEV_KEYS.dave.seed },
    hotkeys: { default: { seed: DEV_KEYS.eve.seed }, phrase: { phrase: DEV_PHRASE } },
  });
});

async function walletError(p: Promise<unknown>): Promise<WalletError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WalletError);
    const e = err as WalletError;
    expect(e.code).toBe('WALLET_INVALID');
    for (const s of SECRETS) expect(e.message).not.toContain(s);
    return e;
  }
  throw new Error('expected a WalletError');
}

/** A hotkey file with the given body, mode 0600, in a fresh wallet. */
async function hotkeyWith(body: string, mode = 0o600): Promise<{ loc: { path: string; name: string; hotkey: string }; file: string }> {
  const path = await mkdtemp(join(scratch(), 'wallet-bad-'));
  await writeWallet(path, 'w', {});
  const loc = { path, name: 'w', hotkey: 'h' };
  const file = walletFiles(loc).hotkeyFile;
  await writeFile(file, body);
  await chmod(file, mode);
  return { loc, file };
}

describe('loadHotkey', () => {
  it('loads from secretSeed: the //Eve dev key, sr25519, ss58 42, and it signs', async () => {
    const key = await loadHotkey({ path: root, name: 'miner', hotkey: 'default' });
    expect(key.ss58).toBe(DEV_KEYS.eve.ss58);
    expect(key.pair.type).toBe('sr25519');
    expect(key.pair.address).toBe(DEV_KEYS.eve.ss58);
    expect(key.publicKey).toEqual(key.pair.publicKey);
    const msg = new TextEncoder().encode('hello');
    expect(signatureVerify(msg, key.pair.sign(msg), DEV_KEYS.eve.ss58).isValid).toBe(true);
  });

  it('loads from secretPhrase (substrate mnemonic)', async () => {
    const key = await loadHotkey({ path: root, name: 'miner', hotkey: 'phrase' });
    expect(key.ss58).toBe(DEV_PHRASE_SS58);
  });

  it('prefers secretPhrase over secretSeed, as btwallet does', async () => {
    const { loc } = await hotkeyWith(JSON.stringify({ secretPhrase: DEV_PHRASE, secretSeed: DEV_KEYS.eve.seed }));
    expect((await loadHotkey(loc)).ss58).toBe(DEV_PHRASE_SS58);
  });

  it('never uses privateKey', async () => {
    const { loc } = await hotkeyWith(JSON.stringify({ privateKey: `0x${'11'.repeat(64)}`, ss58Address: DEV_KEYS.eve.ss58 }));
    expect((await walletError(loadHotkey(loc))).message).toContain('neither secretPhrase nor secretSeed');
  });

  it.each([0o644, 0o640, 0o604, 0o620])('refuses a key file with mode %o and says chmod 600', async (mode) => {
    const dir = await mkdtemp(join(scratch(), 'wallet-perm-'));
    await cp(join(root, 'miner'), join(dir, 'miner'), { recursive: true });
    const loc = { path: dir, name: 'miner', hotkey: 'default' };
    const file = walletFiles(loc).hotkeyFile;
    await chmod(file, mode);
    const err = await walletError(loadHotkey(loc));
    expect(err.message).toContain(file);
    expect(err.message).toContain(`chmod 600 ${file}`);
    await chmod(file, 0o600);
    expect((await loadHotkey(loc)).ss58).toBe(DEV_KEYS.eve.ss58);
  });

  it('refuses a missing file, naming it and the fix', async () => {
    const loc = { path: root, name: 'miner', hotkey: 'nope' };
    const err = await walletError(loadHotkey(loc));
    expect(err.message).toContain(walletFiles(loc).hotkeyFile);
    expect(err.message).toContain('not found');
    expect(err.message).toContain('--hotkey');
  });

  it.each([
    ['not JSON', 'secretSeed = 0x786ad0e2df456fe43dd1f91ebca22e235bc162e0bb8d53c633e8c85b2af68b7a', 'not JSON'],
    ['a JSON array', '[]', 'not a JSON object'],
    ['public fields only', JSON.stringify({ ss58Address: DEV_KEYS.eve.ss58 }), 'neither secretPhrase nor secretSeed'],
    ['a short seed', JSON.stringify({ secretSeed: '0x786ad0e2df' }), 'secretSeed is not 32 bytes'],
    ['a non-hex seed', JSON.stringify({ secretSeed: `0x${'zz'.repeat(32)}` }), 'secretSeed is not 32 bytes'],
    ['a bad mnemonic', JSON.stringify({ secretPhrase: 'bottom drive obey lake curtain smoke basket hold race lonely fit fit' }), 'not a valid mnemonic'],
    ['a number seed', JSON.stringify({ secretSeed: 12 }), 'secretSeed is not a string'],
  ])('refuses %s', async (_name, body, why) => {
    const { loc, file } = await hotkeyWith(body);
    const err = await walletError(loadHotkey(loc));
    expect(err.message).toContain(file);
    expect(err.message).toContain(why);
    expect(err.message).toContain('fix:');
  });

  it('refuses a file whose ss58Address or publicKey does not match the key', async () => {
    const a = await hotkeyWith(JSON.stringify({ secretSeed: DEV_KEYS.eve.seed, ss58Address: DEV_KEYS.dave.ss58 }));
    const errA = await walletError(loadHotkey(a.loc));
    expect(errA.message).toContain(DEV_KEYS.dave.ss58);
    expect(errA.message).toContain(DEV_KEYS.eve.ss58);
    const b = await hotkeyWith(JSON.stringify({ secretSeed: DEV_KEYS.eve.seed, publicKey: `0x${'00'.repeat(32)}` }));
    expect((await walletError(loadHotkey(b.loc))).message).toContain('publicKey');
    const c = await hotkeyWith(JSON.stringify({ secretSeed: DEV_KEYS.eve.seed, ss58Address: 'not-an-address' }));
    expect((await walletError(loadHotkey(c.loc))).message).toContain('ss58Address is not a valid address');
  });

  it('refuses a wallet directory that group or others may enter, naming the chmod that fixes it', async () => {
    const dir = await mkdtemp(join(scratch(), 'wallet-dirmode-'));
    await cp(join(process.cwd(), 'wallets.example', 'miner'), join(dir, 'miner'), { recursive: true });
    const loc = { path: dir, name: 'miner', hotkey: 'default' };
    await chmod(walletFiles(loc).hotkeyFile, 0o600);
    await chmod(join(dir, 'miner'), 0o700);
    await chmod(join(dir, 'miner', 'hotkeys'), 0o750);
    const err = await walletError(loadHotkey(loc));
    expect(err.message).toContain(`wallet directory ${join(dir, 'miner', 'hotkeys')} is accessible by group or others (mode 0750)`);
    expect(err.message).toContain(`fix: chmod 700 ${join(dir, 'miner', 'hotkeys')}`);
    await chmod(join(dir, 'miner', 'hotkeys'), 0o700);
    await chmod(join(dir, 'miner'), 0o755);
    expect((await walletError(loadHotkey(loc))).message).toContain(`fix: chmod 700 ${join(dir, 'miner')}`);
    await chmod(join(dir, 'miner'), 0o700);
    expect((await loadHotkey(loc)).ss58).toBe(DEV_KEYS.eve.ss58);
  });

  it('refuses an encrypted hotkey without a password, naming the variable', async () => {
    const { loc } = await hotkeyWith('$NACL' + 'x'.repeat(80));
    expect((await walletError(loadHotkey(loc))).message).toContain('MINER_HOTKEY_PASSWORD');
  });

  it('loads the example wallets once they have mode 0600 (directories 0700)', async () => {
    const dir = await mkdtemp(join(scratch(), 'wallet-example-'));
    await cp(join(process.cwd(), 'wallets.example'), dir, { recursive: true });
    for (const [name, ss58] of [
      ['miner', DEV_KEYS.eve.ss58],
      ['validator', DEV_KEYS.bob.ss58],
    ] as const) {
      const loc = { path: dir, name, hotkey: 'default' };
      await chmod(walletFiles(loc).hotkeyFile, 0o600);
      await chmod(join(dir, name), 0o700);
      await chmod(join(dir, name, 'hotkeys'), 0o700);
      expect((await loadHotkey(loc)).ss58).toBe(ss58);
      expect((await readHotkeyPub(loc)).ss58).toBe(ss58);
    }
    expect((await readColdkeyPub({ path: dir, name: 'miner' })).ss58).toBe(DEV_KEYS.dave.ss58);
    expect((await readColdkeyPub({ path: dir, name: 'validator' })).ss58).toBe(DEV_KEYS.charlie.ss58);
  });
});

describe('readColdkeyPub', () => {
  it('reads btwallet JSON and a bare ss58 string', async () => {
    expect((await readColdkeyPub({ path: root, name: 'miner' })).ss58).toBe(DEV_KEYS.dave.ss58);
    const path = await mkdtemp(join(scratch(), 'wallet-pub-'));
    await writeWallet(path, 'bare', {});
    const file = walletFiles({ path, name: 'bare', hotkey: 'default' }).coldkeyPubFile;
    await writeFile(file, `${DEV_KEYS.charlie.ss58}\n`);
    const pub = await readColdkeyPub({ path, name: 'bare' });
    expect(pub.ss58).toBe(DEV_KEYS.charlie.ss58);
    expect(pub.publicKey).toHaveLength(32);
    await writeFile(file, 'garbage');
    expect((await walletError(readColdkeyPub({ path, name: 'bare' }))).message).toContain(file);
    await writeFile(file, '{"accountId":"0x00"}');
    expect((await walletError(readColdkeyPub({ path, name: 'bare' }))).message).toContain('no ss58Address');
  });

  it('names the missing file', async () => {
    const err = await walletError(readColdkeyPub({ path: root, name: 'ghost' }));
    expect(err.message).toContain(join(root, 'ghost', 'coldkeypub.txt'));
  });
});
