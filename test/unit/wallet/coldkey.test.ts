import { chmod, cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../../helpers/scratchDir.js';
import sodium from 'libsodium-wrappers-sumo';
import { decryptNacl, isNaclEncrypted, loadColdkey, NACL_MEMLIMIT, NACL_OPSLIMIT, NACL_SALT, walletFiles, writeWallet } from '../../../src/wallet/index.js';
import { DEV_KEYS } from '../../../packages/devnet/src/devKeys.js';
import { WalletError } from '../../../src/util/errors.js';

const scratch = useScratchDir('miner-wallet-test-');

// Each argon2i derivation at SENSITIVE limits takes seconds: keep their number small.
const SLOW = 180_000;
const PASSWORD = 'correct horse';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(scratch(), 'coldkey-'));
  await writeWallet(root, 'enc', { coldkey: { seed: DEV_KEYS.dave.seed, password: PASSWORD } });
  await writeWallet(root, 'plain', { coldkey: { seed: DEV_KEYS.charlie.seed } });
}, SLOW);

async function walletError(p: Promise<unknown>): Promise<WalletError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WalletError);
    return err as WalletError;
  }
  throw new Error('expected a WalletError');
}

// encryptNacl runs in beforeAll (writeWallet with a password); decryptNacl in loadColdkey.
describe('$NACL format', () => {
  it("uses btwallet's parameters: argon2i13 SENSITIVE and its fixed salt", async () => {
    await sodium.ready;
    expect(NACL_OPSLIMIT).toBe(sodium.crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE);
    expect(NACL_MEMLIMIT).toBe(sodium.crypto_pwhash_argon2i_MEMLIMIT_SENSITIVE);
    expect(Buffer.from(NACL_SALT).toString('latin1')).toBe('\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1');
  });

  it(
    'writes $NACL || 24-byte nonce || secretbox, decryptable by a plain libsodium derivation',
    async () => {
      const file = walletFiles({ path: root, name: 'enc', hotkey: 'default' }).coldkeyFile;
      const data = new Uint8Array(await readFile(file));
      expect(isNaclEncrypted(data)).toBe(true);
      await sodium.ready;
      // An independent decryption straight from the format description, not through our module.
      const key = sodium.crypto_pwhash(32, PASSWORD, NACL_SALT, 8, 512 * 1024 * 1024, sodium.crypto_pwhash_ALG_ARGON2I13);
      const plain = sodium.crypto_secretbox_open_easy(data.subarray(5 + 24), data.subarray(5, 5 + 24), key);
      const doc = JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>;
      expect(doc['ss58Address']).toBe(DEV_KEYS.dave.ss58);
      expect(doc['secretSeed']).toBe(DEV_KEYS.dave.seed);
      expect(new TextDecoder().decode(data)).not.toContain(DEV_KEYS.dave.seed.slice(2));
    },
    SLOW,
  );

  it('refuses a truncated file before deriving a key', async () => {
    const err = await walletError(decryptNacl(new TextEncoder().encode('$NACL0123456789'), 'pw', '/some/coldkey'));
    expect(err.message).toContain('/some/coldkey');
    expect(err.message).toContain('not a complete');
  });
});

describe('loadColdkey', () => {
  it('loads a plain JSON coldkey without a password', async () => {
    expect((await loadColdkey({ path: root, name: 'plain' })).ss58).toBe(DEV_KEYS.charlie.ss58);
  });

  it(
    'refuses a wrong password (from the prompt) without echoing it',
    async () => {
      let asked = 0;
      const err = await walletError(
        loadColdkey(
          { path: root, name: 'enc' },
          {
            prompt: () => {
              asked++;
              return Promise.resolve('hunter2');
            },
          },
        ),
      );
      expect(asked).toBe(1);
      expect(err.message).toContain('wrong password');
      expect(err.message).toContain(join(root, 'enc', 'coldkey'));
      expect(err.message).not.toContain('hunter2');
    },
    SLOW,
  );

  it('refuses an encrypted coldkey when no password source exists', async () => {
    const err = await walletError(loadColdkey({ path: root, name: 'enc' }));
    expect(err.message).toContain('MINER_COLDKEY_PASSWORD');
  });

  it('refuses Ansible Vault / Fernet files by name, and group-readable coldkeys', async () => {
    const dir = await mkdtemp(join(scratch(), 'coldkey-legacy-'));
    await writeWallet(dir, 'w', {});
    const file = walletFiles({ path: dir, name: 'w', hotkey: 'default' }).coldkeyFile;
    await writeFile(file, '$ANSIBLE_VAULT;1.1;AES256\n3030', { mode: 0o600 });
    expect((await walletError(loadColdkey({ path: dir, name: 'w' }, { password: 'x' }))).message).toContain('Ansible Vault');
    await writeFile(file, 'gAAAAABlegacy');
    expect((await walletError(loadColdkey({ path: dir, name: 'w' }, { password: 'x' }))).message).toContain('Fernet');
    await chmod(file, 0o640);
    expect((await walletError(loadColdkey({ path: dir, name: 'w' }))).message).toContain(`chmod 600 ${file}`);
  });

  it('refuses a coldkey that does not match coldkeypub.txt', async () => {
    const dir = await mkdtemp(join(scratch(), 'coldkey-mismatch-'));
    await cp(join(root, 'plain'), join(dir, 'plain'), { recursive: true });
    const files = walletFiles({ path: dir, name: 'plain', hotkey: 'default' });
    await writeFile(files.coldkeyPubFile, DEV_KEYS.alice.ss58);
    const err = await walletError(loadColdkey({ path: dir, name: 'plain' }));
    expect(err.message).toContain(DEV_KEYS.alice.ss58);
  });

  it(
    'decrypts the example miner coldkey with the password "devnet"',
    async () => {
      const dir = await mkdtemp(join(scratch(), 'coldkey-example-'));
      await cp(join(process.cwd(), 'wallets.example', 'miner'), join(dir, 'miner'), { recursive: true });
      await chmod(join(dir, 'miner', 'coldkey'), 0o600);
      await chmod(join(dir, 'miner'), 0o700);
      const key = await loadColdkey(
        { path: dir, name: 'miner' },
        {
          env: { MINER_COLDKEY_PASSWORD: 'devnet' },
          prompt: () => Promise.reject(new Error('must not prompt')),
        },
      );
      expect(key.ss58).toBe(DEV_KEYS.dave.ss58);
      expect(key.pair.type).toBe('sr25519');
    },
    SLOW,
  );
});
