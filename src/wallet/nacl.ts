import sodium from 'libsodium-wrappers-sumo';
import { WalletError } from '../util/index.js';

/**
 * btwallet's `$NACL` envelope: "$NACL" || 24-byte nonce || secretbox(plaintext), with the box key
 * derived by argon2i (v1.3) at libsodium's SENSITIVE limits from the password and a salt that
 * btwallet fixes for every file (so the file carries no KDF parameters at all).
 */
export const NACL_PREFIX = '$NACL';
export const NACL_SALT = Uint8Array.from([0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1]);
/** crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE / MEMLIMIT_SENSITIVE (512 MiB). */
export const NACL_OPSLIMIT = 8;
export const NACL_MEMLIMIT = 536_870_912;

const PREFIX_BYTES = new TextEncoder().encode(NACL_PREFIX);

export function isNaclEncrypted(data: Uint8Array): boolean {
  return data.length >= PREFIX_BYTES.length && PREFIX_BYTES.every((b, i) => data[i] === b);
}

/** Other btwallet encodings we recognise only to name them in the error. */
export function legacyEncryption(data: Uint8Array): string | undefined {
  const head = new TextDecoder().decode(data.subarray(0, 16));
  if (head.startsWith('$ANSIBLE_VAULT')) return 'Ansible Vault';
  if (head.startsWith('gAAAAA')) return 'legacy Fernet';
  return undefined;
}

async function deriveKey(password: string): Promise<Uint8Array> {
  await sodium.ready;
  // Blocks the thread for several seconds (512 MiB argon2i): only the register path pays it.
  return sodium.crypto_pwhash(sodium.crypto_secretbox_KEYBYTES, password, NACL_SALT, NACL_OPSLIMIT, NACL_MEMLIMIT, sodium.crypto_pwhash_ALG_ARGON2I13);
}

export async function encryptNacl(plaintext: Uint8Array | string, password: string): Promise<Uint8Array> {
  const key = await deriveKey(password);
  const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
  const box = sodium.crypto_secretbox_easy(plaintext, nonce, key);
  sodium.memzero(key);
  const out = new Uint8Array(PREFIX_BYTES.length + nonce.length + box.length);
  out.set(PREFIX_BYTES, 0);
  out.set(nonce, PREFIX_BYTES.length);
  out.set(box, PREFIX_BYTES.length + nonce.length);
  return out;
}

/** Throws WalletError naming `file` (never the password) on a wrong password or a damaged file. */
export async function decryptNacl(data: Uint8Array, password: string, file: string): Promise<Uint8Array> {
  await sodium.ready;
  const start = PREFIX_BYTES.length;
  const nonceEnd = start + sodium.crypto_secretbox_NONCEBYTES;
  if (!isNaclEncrypted(data) || data.length < nonceEnd + sodium.crypto_secretbox_MACBYTES) {
    throw new WalletError(`${file} is not a complete $NACL encrypted key file; fix: restore it from a backup or regenerate it with btcli`, { file });
  }
  const key = await deriveKey(password);
  try {
    return sodium.crypto_secretbox_open_easy(data.subarray(nonceEnd), data.subarray(start, nonceEnd), key);
  } catch {
    throw new WalletError(`cannot decrypt ${file}: wrong password or damaged file; fix: check MINER_COLDKEY_PASSWORD (or the password typed)`, { file });
  } finally {
    sodium.memzero(key);
  }
}
