/*
 * A local subtensor devnet for the miner: chopsticks with the real runtime, bootstrapped, blocks every 2 s.
 * Environment: SUBTENSOR_CHAINSPEC, DEVNET_PORT (9944), DEVNET_BLOCK_MS (2000), DEVNET_TEMPO (10),
 * DEVNET_OUT_DIR (where devnet.config.json and .devnet/wallets go; default the working directory),
 * DEVNET_AXON_PORT (8091), DEVNET_LOG_LEVEL (info).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { type Devnet, startDevnet, prepareDevnetWallets, devnetMinerConfig, writeJsonFile, DEVNET_ROLES, defaultChainspec } from './index.js';
import { configSchema } from '../../../src/config/index.js';
import { createRootLogger, flushLogger } from '../../../src/util/index.js';

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  const logger = createRootLogger({ level: process.env['DEVNET_LOG_LEVEL'] ?? 'info', pretty: process.stdout.isTTY });
  const port = envInt('DEVNET_PORT', 9944);
  const chainspec = resolve(defaultChainspec());
  if (!existsSync(chainspec)) throw new Error(`chain spec ${chainspec} not found; set SUBTENSOR_CHAINSPEC`);
  console.log(`starting chopsticks with ${chainspec} on 127.0.0.1:${port} ...`);
  let stopping = false;
  let devnet: Devnet | undefined;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping devnet ...`);
    // Before the devnet exists, startDevnet's own failure path (or the exit hook) ends chopsticks.
    if (!devnet) return;
    devnet
      .stop()
      .then(() => flushLogger(logger))
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  devnet = await startDevnet({
    chainspec,
    host: '127.0.0.1',
    port,
    blockIntervalMs: envInt('DEVNET_BLOCK_MS', 2_000),
    tempo: envInt('DEVNET_TEMPO', 10),
    netuid: 1,
    logger,
  });
  if (stopping) {
    await devnet.stop();
    process.exit(0);
  }

  // Compiled to dist/packages/devnet/src/main.js: the repository root is four levels up.
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  const outDir = process.env['DEVNET_OUT_DIR'] ?? '.';
  const walletPath = join(outDir, '.devnet', 'wallets');
  const configPath = join(outDir, 'devnet.config.json');
  await prepareDevnetWallets(join(root, 'wallets.example'), resolve(walletPath));
  const config = devnetMinerConfig({ endpoint: devnet.endpoint, netuid: devnet.netuid, walletPath, axonPort: envInt('DEVNET_AXON_PORT', 8091) });
  configSchema.parse(config);
  await writeJsonFile(resolve(configPath), config);

  console.log(
    [
      `chain:      ${devnet.endpoint} (spec_version ${devnet.specVersion}, chopsticks pid ${devnet.pid})`,
      `subnet:     netuid ${devnet.netuid}, tempo ${devnet.tempo}, a block every ${devnet.blockIntervalMs} ms`,
      `sudo:       ${DEVNET_ROLES.sudo.uri} ${DEVNET_ROLES.sudo.ss58}`,
      `validator:  hotkey ${DEVNET_ROLES.validatorHotkey.uri} ${DEVNET_ROLES.validatorHotkey.ss58} uid ${await devnet.uidOf(DEVNET_ROLES.validatorHotkey.ss58)}, coldkey ${DEVNET_ROLES.validatorColdkey.uri}`,
      `miner:      hotkey ${DEVNET_ROLES.minerHotkey.uri} ${DEVNET_ROLES.minerHotkey.ss58} uid ${await devnet.uidOf(DEVNET_ROLES.minerHotkey.ss58)}, coldkey ${DEVNET_ROLES.minerColdkey.uri}`,
      `wallets:    ${walletPath}/ (miner, validator; dirs 0700, files 0600)`,
      `config:     ${configPath} (subnet-miner run --config ${configPath})`,
      `devnet ready at ${devnet.endpoint} (Ctrl-C to stop)`,
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(`devnet failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
