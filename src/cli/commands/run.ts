import type { Command } from 'commander';
import { format } from 'node:util';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';
import { packageVersion } from '../packageInfo.js';
import { applyNativeBounds } from '../nativeBounds.js';
import { installBugHandlers } from '../bugHandlers.js';
import { announceWarnings, type MinerConfig } from '../../config/index.js';
import { createRootLogger, describeError, EXIT_CODES, flushLogger, systemClock, toMinerError, type Logger } from '../../util/index.js';
import { loadHotkey } from '../../wallet/index.js';
import { prettyDestination } from '../../monitor/index.js';
import { createMetricsRegistry } from '../../metrics/index.js';
import { MinerNode } from '../../node/index.js';

export function registerRunCommand(program: Command): void {
  const cmd = program.command('run').description('run the miner daemon: sync the chain, announce and serve the axon');
  addCommonOptions(cmd).action(async (opts: CommonOptions) => {
    await runDaemon(opts);
  });
}

async function runDaemon(opts: CommonOptions): Promise<void> {
  let config: MinerConfig;
  try {
    config = configFromOptions(opts);
  } catch (err) {
    // No config, no log settings: the fatal line goes out with the defaults.
    return die(cliLogger(rootLogger('info', opts.pretty === true)), err);
  }
  const root = rootLogger(config.log.level, config.log.pretty);
  routeConsoleToLog(root);
  const logger = cliLogger(root);
  installBugHandlers(logger, { on: (event, fn) => process.on(event, fn), exit: (code) => process.exit(code) });
  let node: MinerNode | undefined;
  const abort = new AbortController();
  try {
    const bounds = applyNativeBounds(config.memory);
    for (const w of announceWarnings(config)) logger.warn({ warning: w.warning, reason: w.message, fix: w.fix }, 'nothing will be announced');
    const hotkey = await loadHotkey(config.wallet);
    node = new MinerNode(
      { config, version: packageVersion(), secrets: { redisPassword: process.env['MINER_REDIS_PASSWORD'] || undefined } },
      { logger: root, registry: createMetricsRegistry(), clock: systemClock(), signal: abort.signal, pair: hotkey.pair },
    );
    logger.info({ version: packageVersion(), hotkey: hotkey.ss58, netuid: config.netuid, nativeBounds: bounds }, 'miner starting');
    installSignalHandlers(logger, node, abort);
    await node.start();
  } catch (err) {
    await node?.stop().catch(() => undefined);
    abort.abort();
    return die(logger, err);
  }
}

function rootLogger(level: string, pretty: boolean): Logger {
  if (!pretty) return createRootLogger({ level });
  const details = ['trace', 'debug'].includes(level);
  const write = (line: string): void => void process.stdout.write(line);
  return createRootLogger({ level, destination: prettyDestination({ details, colorize: process.stdout.isTTY === true, write }) });
}

function cliLogger(root: Logger): Logger {
  return root.child({ module: 'cli' });
}

/**
 * The one fatal line of a failed start: code, message and fix as fields (what `status` prints
 * as `error [CODE]: message; fix: ...`), then the exit status from ERROR_TABLE.
 */
async function die(logger: Logger, err: unknown): Promise<never> {
  const d = describeError(err);
  const e = toMinerError(err);
  const bug = d.code === 'INTERNAL' ? { err } : {};
  logger.fatal({ code: d.code, message: d.message, fix: d.fix ?? null, exitCode: d.exitCode, errorId: e.errorId, ...bug }, 'miner failed to start');
  await flushLogger(logger);
  process.exit(d.exitCode);
}

/**
 * @polkadot/api writes its own lines (`API/INIT: ...`, `RPC-CORE: ...`) straight to the
 * console; in the daemon they become JSON log lines (module "console") so an operator's log
 * stream stays one JSON object per line. Library errors come out as warnings: the chain client
 * reports connection state itself, at the level it deserves.
 */
function routeConsoleToLog(root: Logger): void {
  const log = root.child({ module: 'console' });
  const write =
    (level: 'debug' | 'info' | 'warn') =>
    (...args: unknown[]): void => {
      log[level]({ text: format(...args) }, 'library console output');
    };
  console.debug = write('debug');
  console.log = write('info');
  console.info = write('info');
  console.warn = write('warn');
  console.error = write('warn');
}

/**
 * First SIGTERM/SIGINT drains (the node logs how many requests it drained and refused) and
 * exits 0. A second one cuts the drain short: the node stops what it can within a short grace
 * (inference runs in flight finish, so no native worker is torn down mid-run) and the process
 * exits EXIT_CODES.FORCED_STOP.
 */
function installSignalHandlers(logger: Logger, node: MinerNode, abort: AbortController): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal, exitCode: EXIT_CODES.FORCED_STOP }, 'second signal, forcing exit');
      void node
        .forceStop()
        .finally(() => flushLogger(logger, 500))
        .finally(() => process.exit(EXIT_CODES.FORCED_STOP));
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutdown requested');
    node
      .stop()
      .then(async () => {
        abort.abort();
        logger.info({ exitCode: EXIT_CODES.OK }, 'miner stopped');
        await flushLogger(logger);
        process.exit(EXIT_CODES.OK);
      })
      .catch(async (err: unknown) => {
        const d = describeError(err);
        logger.error({ code: d.code, message: d.message, exitCode: d.exitCode }, 'shutdown failed');
        await flushLogger(logger);
        process.exit(d.exitCode);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
