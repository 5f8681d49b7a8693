import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchDir } from '../../helpers/scratchDir.js';
import { createRootLogger } from '../../../src/util/logger.js';
import { loadConfig } from '../../../src/config/index.js';
import { loadHotkey, walletFiles, writeWallet } from '../../../src/wallet/index.js';
import { DEV_KEYS } from '../../../packages/devnet/src/devKeys.js';

const scratch = useScratchDir('miner-wallet-test-');

const PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

describe('no key material reaches a log', () => {
  it('logging a loaded config, a loaded hotkey and wallet errors writes no seed or phrase', async () => {
    const path = await mkdtemp(join(scratch(), 'redact-'));
    await writeWallet(path, 'w', { hotkeys: { seed: { seed: DEV_KEYS.eve.seed }, phrase: { phrase: PHRASE } } });
    const lines: string[] = [];
    const log = createRootLogger({
      level: 'trace',
      destination: {
        write: (s: string) => {
          lines.push(s);
        },
      },
    }).child({ module: 'test' });

    const cfg = loadConfig({ flags: { 'wallet.path': path, 'wallet.name': 'w', 'wallet.hotkey': 'seed' } });
    log.info({ cfg }, 'config loaded');
    for (const hotkey of ['seed', 'phrase']) {
      const key = await loadHotkey({ ...cfg.wallet, hotkey });
      log.info({ key, pair: key.pair, hotkey: key.ss58 }, 'hotkey loaded');
      log.info(key.pair as unknown as object, 'pair as the object');
      expect(lines.join('')).toContain(key.ss58);
    }
    const bad = walletFiles({ path, name: 'w', hotkey: 'missing' });
    await loadHotkey({ path, name: 'w', hotkey: 'missing' }).catch((err: unknown) => log.error({ err }, 'wallet refused'));

    const out = lines.join('');
    expect(out).toContain(bad.hotkeyFile);
    expect(out).not.toContain(DEV_KEYS.eve.seed.slice(2));
    expect(out).not.toContain('bottom drive');
    expect(out).not.toMatch(/secretSeed|secretPhrase/);
  });
});
