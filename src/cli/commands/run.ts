import type { Command } from 'commander';
import { format } from 'node:util';
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
  const root = createRootLogger({ level: config.log.level, pretty: config.log.pretty });
  routeConsoleToLog(root);
  const logger = root.child({ module: 'cli' });
  installBugHandlers(logger);
  const hotkey = await loadHotkey(config.wallet);
  const abort = new AbortController();
  const node = new MinerNode(
    { config, version: packageVersion(), secrets: { redisPassword: process.env['MINER_REDIS_PASSWORD'] || undefined } },
    { logger: root, registry: createMetricsRegistry(), clock: systemClock(), signal: abort.signal, pair: hotkey.pair },
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

/**
 * @polkadot/api writes its own lines (`API/INIT: ...`, `RPC-CORE: ...`) straight to the
 * console; in the daemon they become JSON log lines (module "console") so an operator's log
 * stream stays one JSON object per line. Library errors come out as warnings: the chain client
 * reports connection state itself, at the level it deserves.
 */
function routeConsoleToLog(root: Logger): void {
  const log = root.child({ module: 'console' });
  const write = (level: 'debug' | 'info' | 'warn') => (...args: unknown[]): void => {
    log[level]({ text: format(...args) }, 'library console output');
  };
  console.debug = write('debug');
  console.log = write('info');
  console.info = write('info');
  console.warn = write('warn');
  console.error = write('warn');
}

/** EX_SOFTWARE: the process ended on a bug (systemd restarts it). */
const EXIT_BUG = 70;

/**
 * Request failures are answered inside their own request; what reaches these handlers is a
 * bug. A rejection nobody handled is logged and the miner keeps serving; an uncaught
 * exception may have left state half-changed, so it is logged at fatal and the process
 * exits for systemd to restart it, never silently.
 */
function installBugHandlers(logger: Logger): void {
  process.on('unhandledRejection', (reason: unknown) => {
    const e = toMinerError(reason);
    logger.error({ errorId: e.errorId, err: reason }, 'unhandled promise rejection (a bug)');
  });
  process.on('uncaughtException', (err: Error) => {
    const e = toMinerError(err);
    logger.fatal({ errorId: e.errorId, err }, 'uncaught exception (a bug), exiting');
    void flushLogger(logger, 1_000).finally(() => process.exit(EXIT_BUG));
  });
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
