export { loadHotkey, loadColdkey, readColdkeyPub, readHotkeyPub, type PasswordSource } from './loadKeys.js';
export { type KeyScheme, type LoadedKey, SS58_FORMAT } from './keyfile.js';
export { walletFiles, type WalletFiles, type WalletLocation } from './paths.js';
export { encryptNacl, decryptNacl, isNaclEncrypted, NACL_SALT, NACL_OPSLIMIT, NACL_MEMLIMIT } from './nacl.js';
export { writeWallet, keyFileDocs, type KeySpec, type WriteWalletOptions, type WrittenWallet } from './writeWallet.js';
