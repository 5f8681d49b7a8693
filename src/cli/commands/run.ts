import type { Command } from 'commander';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';
import { packageVersion } from '../packageInfo.js';
import { createRootLogger, flushLogger, systemClock, toMinerError, type Logger } from '../../util/index.js';
import { loadHotkey } from '../../wallet/index.js';
import { createMetricsRegistry } from '../../monitor/index.js';
import { MinerNode } from '../../node/index.js';

export function registerRunCommand(program: Command): void {
  const cmd = program.command('run').description('run the miner daemon: sync the chain, announce and serve the axon');
  addCommonOptions(cmd).action(async (opts: CommonOptions) => {
    await runDaemon(opts);
  });
}

async function runDaemon(opts: CommonOptions): Promise<void> {
  const config = configFromOptions(opts);
  const logger = createRootLogger({ level: config.log.level, pretty: config.log.pretty });
  const hotkey = await loadHotkey(config.wallet);
  const abort = new AbortController();
  const node = new MinerNode(
    { config, version: packageVersion(), secrets: { redisPassword: process.env['MINER_REDIS_PASSWORD'] || undefined } },
    { logger, registry: createMetricsRegistry(), clock: systemClock(), signal: abort.signal, pair: hotkey.pair },
  );
  logger.info({ version: packageVersion(), hotkey: hotkey.ss58, netuid: config.netuid }, 'miner starting');
  installSignalHandlers(logger, async () => {
    abort.abort();
    await node.stop();
  });
  try {
    await node.start();
  } catch (err) {
    const e = toMinerError(err);
    logger.fatal({ code: e.code, errorId: e.errorId, err }, 'miner failed to start');
    abort.abort();
    await node.stop();
    await flushLogger(logger);
    process.exit(1);
  }
}

/** First SIGTERM/SIGINT drains and exits 0; a second one forces exit. */
function installSignalHandlers(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, forcing exit');
      void flushLogger(logger, 500).finally(() => process.exit(130));
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutdown requested');
    shutdown()
      .then(async () => {
        logger.info('miner stopped');
        await flushLogger(logger);
        process.exit(0);
      })
      .catch(async (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        await flushLogger(logger);
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
