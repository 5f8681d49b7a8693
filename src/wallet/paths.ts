import { join } from 'node:path';

export interface WalletLocation {
  /** Wallets directory (`~` already expanded by the config loader). */
  path: string;
  name: string;
  hotkey: string;
}

export interface WalletFiles {
  dir: string;
  hotkeyFile: string;
  hotkeyPubFile: string;
  coldkeyFile: string;
  coldkeyPubFile: string;
}

/** btwallet layout: <path>/<name>/{coldkey,coldkeypub.txt,hotkeys/<hotkey>,hotkeys/<hotkey>pub.txt}. */
export function walletFiles(loc: WalletLocation): WalletFiles {
  const dir = join(loc.path, loc.name);
  return {
    dir,
    hotkeyFile: join(dir, 'hotkeys', loc.hotkey),
    hotkeyPubFile: join(dir, 'hotkeys', `${loc.hotkey}pub.txt`),
    coldkeyFile: join(dir, 'coldkey'),
    coldkeyPubFile: join(dir, 'coldkeypub.txt'),
  };
}
