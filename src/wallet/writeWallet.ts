import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, mnemonicToMiniSecret } from '@polkadot/util-crypto';
import { encryptNacl } from './nacl.js';
import { SS58_FORMAT, type KeyScheme } from './keyfile.js';

/** A key given by its 32-byte mini secret (0x hex) or its mnemonic. */
export interface KeySpec {
  seed?: string;
  phrase?: string;
  /** Default sr25519; an ed25519 hotkey's public fields say so, and loading detects it. */
  scheme?: KeyScheme;
}

export interface KeyFileDocs {
  ss58: string;
  /** btwallet key JSON (secret). */
  secretJson: string;
  /** btwallet public JSON (coldkeypub.txt / <hotkey>pub.txt). */
  publicJson: string;
}

/** btwallet's key JSON for a key; `privateKey` is left out (btwallet's layout differs from ours). */
export async function keyFileDocs(spec: KeySpec): Promise<KeyFileDocs> {
  await cryptoWaitReady();
  if (!spec.seed && !spec.phrase) throw new Error('keyFileDocs: give a seed or a phrase');
  const seed = spec.phrase ? mnemonicToMiniSecret(spec.phrase) : hexToU8a(spec.seed);
  const pair = new Keyring({ type: spec.scheme ?? 'sr25519', ss58Format: SS58_FORMAT }).addFromSeed(seed);
  const pub = u8aToHex(pair.publicKey);
  const publicDoc = { accountId: pub, publicKey: pub, ss58Address: pair.address };
  const secretDoc = { ...publicDoc, secretPhrase: spec.phrase ?? null, secretSeed: u8aToHex(seed) };
  return { ss58: pair.address, secretJson: JSON.stringify(secretDoc), publicJson: JSON.stringify(publicDoc) };
}

export interface WriteWalletOptions {
  /** With `password`, the coldkey is written `$NACL` encrypted (takes seconds). */
  coldkey?: KeySpec & { password?: string };
  hotkeys?: Record<string, KeySpec>;
  /** Mode of secret files; 0o600 unless a test wants a bad one. */
  fileMode?: number;
}

export interface WrittenWallet {
  dir: string;
  coldkeySs58?: string;
  hotkeys: Record<string, { file: string; ss58: string }>;
}

async function writeSecret(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  await writeFile(file, data, { mode });
  await chmod(file, mode); // writeFile's mode is masked by the umask and ignored for existing files
}

/**
 * Writes a wallet in btwallet's layout under `root` (directories 0700, secrets 0600): for
 * tests, the devnet and the example wallets. Public files are 0644 like btwallet's.
 */
export async function writeWallet(root: string, name: string, opts: WriteWalletOptions): Promise<WrittenWallet> {
  const mode = opts.fileMode ?? 0o600;
  const dir = join(root, name);
  await mkdir(join(dir, 'hotkeys'), { recursive: true, mode: 0o700 });
  const out: WrittenWallet = { dir, hotkeys: {} };
  if (opts.coldkey) {
    const docs = await keyFileDocs(opts.coldkey);
    const body = opts.coldkey.password !== undefined ? await encryptNacl(docs.secretJson, opts.coldkey.password) : docs.secretJson;
    await writeSecret(join(dir, 'coldkey'), body, mode);
    await writeFile(join(dir, 'coldkeypub.txt'), docs.publicJson, { mode: 0o644 });
    out.coldkeySs58 = docs.ss58;
  }
  for (const [hotkey, spec] of Object.entries(opts.hotkeys ?? {})) {
    const docs = await keyFileDocs(spec);
    const file = join(dir, 'hotkeys', hotkey);
    await writeSecret(file, docs.secretJson, mode);
    await writeFile(join(dir, 'hotkeys', `${hotkey}pub.txt`), docs.publicJson, { mode: 0o644 });
    out.hotkeys[hotkey] = { file, ss58: docs.ss58 };
  }
  return out;
}
