import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, isHex, u8aEq, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress, mnemonicToMiniSecret, mnemonicValidate } from '@polkadot/util-crypto';
import { WalletError } from '../util/index.js';

export const SS58_FORMAT = 42;
/** Key files are a few hundred bytes; anything far larger is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Hotkeys are sr25519, or ed25519 since btauth/1 carries the scheme. */
export type KeyScheme = 'sr25519' | 'ed25519';

export interface LoadedKey {
  /** sr25519 (or ed25519) pair, ss58 prefix 42. Its secret lives only inside the pair. */
  pair: KeyringPair;
  ss58: string;
  publicKey: Uint8Array;
}

/**
 * Refuses a key's directories (its own and, for hotkeys, the wallet's) when group or others
 * have any access: whoever can write there can swap the key, whoever can list it learns the
 * wallet's layout. Missing directories are left to the file's own "not found" message.
 */
export async function assertPrivateDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    let mode: number;
    try {
      mode = (await stat(dir)).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) {
      throw new WalletError(`wallet directory ${dir} is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}); fix: chmod 700 ${dir}`, {
        dir,
        mode,
      });
    }
  }
}

/** The directories assertPrivateDirs checks for a key file: its folder and the wallet folder above hotkeys/. */
export function keyDirs(file: string, walletDir: string): string[] {
  const own = dirname(file);
  return own === walletDir ? [walletDir] : [walletDir, own];
}

/**
 * Reads a secret key file after checking, on the opened descriptor, that neither group nor
 * others may read or write it. `what` names the file's role in messages ("hotkey file").
 */
export async function readSecretFile(file: string, what: string, createHint: string): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WalletError(`${what} ${file} not found; fix: ${createHint}`, { file });
    if (code === 'EACCES') throw new WalletError(`${what} ${file} cannot be read (permission denied); fix: run as the file's owner`, { file });
    throw new WalletError(`${what} ${file} cannot be opened (${code ?? 'error'})`, { file });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new WalletError(`${what} ${file} is not a regular file; fix: ${createHint}`, { file });
    const mode = st.mode & 0o777;
    if ((mode & 0o066) !== 0) {
      throw new WalletError(`${what} ${file} is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}); fix: chmod 600 ${file}`, {
        file,
        mode,
      });
    }
    if (st.size > MAX_KEY_FILE_BYTES) throw new WalletError(`${what} ${file} is too large to be a key file`, { file });
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

function malformed(file: string, what: string, why: string): WalletError {
  return new WalletError(
    `${what} ${file} is malformed: ${why}; fix: restore it from a backup or regenerate it with btcli (wallet regen_hotkey / regen_coldkey)`,
    { file },
  );
}

function optionalString(doc: Record<string, unknown>, field: string, file: string, what: string): string | undefined {
  const v = doc[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw malformed(file, what, `${field} is not a string`);
  return v;
}

/** The 32-byte mini secret from secretPhrase (preferred, as btwallet does) or secretSeed. */
function miniSecret(doc: Record<string, unknown>, file: string, what: string): Uint8Array {
  const phrase = optionalString(doc, 'secretPhrase', file, what);
  if (phrase !== undefined && phrase.trim() !== '') {
    if (!mnemonicValidate(phrase.trim())) throw malformed(file, what, 'secretPhrase is not a valid mnemonic');
    return mnemonicToMiniSecret(phrase.trim());
  }
  const seed = optionalString(doc, 'secretSeed', file, what);
  if (seed !== undefined && seed !== '') {
    const hex = seed.startsWith('0x') ? seed : `0x${seed}`;
    if (!isHex(hex, 256)) throw malformed(file, what, 'secretSeed is not 32 bytes of hex');
    return hexToU8a(hex);
  }
  throw malformed(file, what, 'it has neither secretPhrase nor secretSeed (a public-only file cannot sign)');
}

function parseJsonObject(data: Uint8Array, file: string, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    throw malformed(file, what, 'not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed(file, what, 'not a JSON object');
  return doc as Record<string, unknown>;
}

function checkPublicFields(doc: Record<string, unknown>, pub: Uint8Array, ss58: string, file: string, what: string): void {
  const address = optionalString(doc, 'ss58Address', file, what);
  if (address !== undefined) {
    let claimed: Uint8Array;
    try {
      claimed = decodeAddress(address);
    } catch {
      throw malformed(file, what, 'ss58Address is not a valid address');
    }
    if (!u8aEq(claimed, pub)) {
      throw new WalletError(
        `${what} ${file}: the key derives ${ss58} but the file says ss58Address ${address}; fix: the file is damaged or edited, regenerate it`,
        { file },
      );
    }
  }
  const publicKey = optionalString(doc, 'publicKey', file, what);
  if (publicKey !== undefined && publicKey.toLowerCase() !== u8aToHex(pub)) {
    throw new WalletError(`${what} ${file}: the key derives ${ss58} but publicKey in the file differs; fix: the file is damaged or edited, regenerate it`, {
      file,
    });
  }
}

/** The public key the file declares (publicKey, else ss58Address), when it declares one that parses. */
function declaredPublicKey(doc: Record<string, unknown>): Uint8Array | undefined {
  try {
    if (typeof doc['publicKey'] === 'string') return hexToU8a(doc['publicKey']);
    if (typeof doc['ss58Address'] === 'string') return decodeAddress(doc['ss58Address']);
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Builds the pair from btwallet key JSON; never reads `privateKey` (a different layout).
 * Without an explicit scheme the key is sr25519, or ed25519 when that is what the file's
 * public fields say the seed derives.
 */
export async function keyFromKeyData(data: Uint8Array, file: string, what: string, scheme?: KeyScheme): Promise<LoadedKey> {
  const doc = parseJsonObject(data, file, what);
  await cryptoWaitReady();
  const secret = miniSecret(doc, file, what);
  const pairOf = (type: KeyScheme) => new Keyring({ type, ss58Format: SS58_FORMAT }).addFromSeed(secret);
  let pair = pairOf(scheme ?? 'sr25519');
  const declared = scheme === undefined ? declaredPublicKey(doc) : undefined;
  if (declared && !u8aEq(declared, pair.publicKey)) {
    const ed = pairOf('ed25519');
    if (u8aEq(declared, ed.publicKey)) pair = ed;
  }
  secret.fill(0);
  checkPublicFields(doc, pair.publicKey, pair.address, file, what);
  return { pair, ss58: pair.address, publicKey: pair.publicKey };
}

/** Public key from a btwallet pub file: JSON with ss58Address, or a bare ss58 string. */
export function publicFromPubData(text: string, file: string, what: string): { ss58: string; publicKey: Uint8Array } {
  const trimmed = text.trim();
  let address: string | undefined;
  if (trimmed.startsWith('{')) {
    const doc = parseJsonObject(new TextEncoder().encode(trimmed), file, what);
    address = optionalString(doc, 'ss58Address', file, what);
    if (address === undefined) throw malformed(file, what, 'no ss58Address');
  } else {
    address = trimmed.replace(/^"|"$/g, '');
  }
  let publicKey: Uint8Array;
  try {
    publicKey = decodeAddress(address);
  } catch {
    throw malformed(file, what, 'not a valid ss58 address');
  }
  const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
  return { ss58: keyring.encodeAddress(publicKey), publicKey };
}
