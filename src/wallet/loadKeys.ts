import { readFile } from 'node:fs/promises';
import { WalletError } from '../util/index.js';
import { decryptNacl, isNaclEncrypted, legacyEncryption } from './nacl.js';
import { assertPrivateDirs, keyDirs, keyFromKeyData, publicFromPubData, readSecretFile, type KeyScheme, type LoadedKey } from './keyfile.js';
import { walletFiles, type WalletLocation } from './paths.js';

export interface PasswordSource {
  /** Used first when given. */
  password?: string;
  /** Read for MINER_COLDKEY_PASSWORD / MINER_HOTKEY_PASSWORD and btwallet's BT_COLD_PW_<WALLET>. */
  env?: NodeJS.ProcessEnv;
  /** Asked last, e.g. a hidden terminal prompt from the CLI. */
  prompt?: () => Promise<string>;
}

function hotkeyHint(loc: WalletLocation): string {
  return (
    `create it (btcli wallet new_hotkey --wallet.name ${loc.name} --wallet.hotkey ${loc.hotkey}) ` +
    'or point wallet.path / wallet.name / wallet.hotkey (--wallet-path, --wallet, --hotkey) at an existing one'
  );
}

function coldkeyHint(loc: WalletLocation): string {
  return (
    `create or restore it (btcli wallet regen_coldkey --wallet.name ${loc.name}) ` +
    'or point wallet.path / wallet.name (--wallet-path, --wallet) at an existing wallet'
  );
}

async function passwordFor(file: string, envName: string, src: PasswordSource, extraEnv?: string): Promise<string> {
  const fromEnv = src.env?.[envName] || (extraEnv ? src.env?.[extraEnv] : undefined) || undefined;
  const password = src.password ?? fromEnv ?? (src.prompt ? await src.prompt() : undefined);
  if (password === undefined) {
    throw new WalletError(`${file} is encrypted and no password was given; fix: set ${envName} or run the command in a terminal`, { file });
  }
  return password;
}

async function plainKeyData(data: Uint8Array, file: string, envName: string, src: PasswordSource, extraEnv?: string): Promise<Uint8Array> {
  if (isNaclEncrypted(data)) return decryptNacl(data, await passwordFor(file, envName, src, extraEnv), file);
  const legacy = legacyEncryption(data);
  if (legacy) {
    throw new WalletError(`${file} uses ${legacy} encryption, which is not supported; fix: re-encrypt it with a current btcli (wallet update)`, { file });
  }
  return data;
}

/**
 * Loads the hotkey that signs for the miner. Refuses files that group or others can access,
 * missing or malformed files, and files whose ss58Address does not match the key.
 */
export async function loadHotkey(loc: WalletLocation, src: PasswordSource = {}, scheme?: KeyScheme): Promise<LoadedKey> {
  const { hotkeyFile, dir } = walletFiles(loc);
  await assertPrivateDirs(keyDirs(hotkeyFile, dir));
  const raw = await readSecretFile(hotkeyFile, 'hotkey file', hotkeyHint(loc));
  const data = await plainKeyData(raw, hotkeyFile, 'MINER_HOTKEY_PASSWORD', src);
  try {
    return await keyFromKeyData(data, hotkeyFile, 'hotkey file', scheme);
  } finally {
    data.fill(0);
  }
}

/** The coldkey's public half, from coldkeypub.txt (JSON with ss58Address, or a bare address). */
export async function readColdkeyPub(loc: Pick<WalletLocation, 'path' | 'name'>): Promise<{ ss58: string; publicKey: Uint8Array }> {
  const { coldkeyPubFile } = walletFiles({ ...loc, hotkey: 'default' });
  let text: string;
  try {
    text = await readFile(coldkeyPubFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new WalletError(`coldkeypub file ${coldkeyPubFile} cannot be read (${code}); fix: ${coldkeyHint({ ...loc, hotkey: 'default' })}`, {
      file: coldkeyPubFile,
    });
  }
  return publicFromPubData(text, coldkeyPubFile, 'coldkeypub file');
}

/** The hotkey's public half from hotkeys/<hotkey>pub.txt, for tools that must not read secrets. */
export async function readHotkeyPub(loc: WalletLocation): Promise<{ ss58: string; publicKey: Uint8Array }> {
  const { hotkeyPubFile } = walletFiles(loc);
  let text: string;
  try {
    text = await readFile(hotkeyPubFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new WalletError(`hotkey pub file ${hotkeyPubFile} cannot be read (${code})`, { file: hotkeyPubFile });
  }
  return publicFromPubData(text, hotkeyPubFile, 'hotkey pub file');
}

/**
 * Loads the coldkey (needed only to register), plain JSON or `$NACL` encrypted. The password
 * comes from `password`, then MINER_COLDKEY_PASSWORD or BT_COLD_PW_<WALLET> in `env`, then
 * `prompt`. Derivation takes seconds (argon2i, 512 MiB). Cross-checks coldkeypub.txt if present.
 */
export async function loadColdkey(loc: Pick<WalletLocation, 'path' | 'name'>, src: PasswordSource = {}): Promise<LoadedKey> {
  const full = { ...loc, hotkey: 'default' };
  const { coldkeyFile, coldkeyPubFile, dir } = walletFiles(full);
  await assertPrivateDirs(keyDirs(coldkeyFile, dir));
  const raw = await readSecretFile(coldkeyFile, 'coldkey file', coldkeyHint(full));
  const btEnv = `BT_COLD_PW_${loc.name.toUpperCase().replace(/-/g, '_')}`;
  const data = await plainKeyData(raw, coldkeyFile, 'MINER_COLDKEY_PASSWORD', src, btEnv);
  let key: LoadedKey;
  try {
    key = await keyFromKeyData(data, coldkeyFile, 'coldkey file');
  } finally {
    data.fill(0);
  }
  const pub = await readColdkeyPub(loc).catch(() => undefined);
  if (pub && pub.ss58 !== key.ss58) {
    throw new WalletError(`coldkey file ${coldkeyFile} holds ${key.ss58} but ${coldkeyPubFile} says ${pub.ss58}; fix: restore the matching pair`, {
      file: coldkeyFile,
    });
  }
  return key;
}
