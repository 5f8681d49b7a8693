import { Option, type Command } from 'commander';
import { ConfigError, WalletError } from '../util/index.js';
import { loadConfig, type MinerConfig } from '../config/index.js';

/** What addCommonOptions puts on a command (commander's camelCase / dotted attribute names). */
export interface CommonOptions {
  config?: string;
  network?: 'finney' | 'test' | 'local';
  endpoint?: string[];
  netuid?: string;
  walletPath?: string;
  'wallet.path'?: string;
  wallet?: string;
  'wallet.name'?: string;
  hotkey?: string;
  'wallet.hotkey'?: string;
  port?: string;
  externalIp?: string;
  externalPort?: string;
  logLevel?: string;
  pretty?: boolean;
  set?: string[];
}

function collect(value: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), value];
}

/** Adds the options every chain-facing command shares. Values stay strings: loadConfig coerces them. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'JSON config file (relative paths inside resolve from the working directory; env MINER_CONFIG)')
    .addOption(
      new Option('--network <preset>', 'network preset (clears endpoints from lower layers unless --endpoint is given)').choices(['finney', 'test', 'local']),
    )
    .option('--endpoint <url...>', 'explicit chain endpoints, tried in order (wins over --network)')
    .option('--netuid <n>', 'subnet uid')
    .option('--wallet-path <dir>', 'wallets directory (default ~/.bittensor/wallets or BT_WALLET_PATH)')
    .addOption(new Option('--wallet.path <dir>').hideHelp())
    .option('--wallet <name>', 'wallet name (alias --wallet.name)')
    .addOption(new Option('--wallet.name <name>').hideHelp())
    .option('--hotkey <name>', 'hotkey name (alias --wallet.hotkey)')
    .addOption(new Option('--wallet.hotkey <name>').hideHelp())
    .option('--port <n>', 'axon port to listen on')
    .option('--external-ip <ip>', 'IP to announce on chain')
    .option('--external-port <n>', 'port to announce on chain')
    .option('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent')
    .option('--pretty', 'human-readable logs')
    .option('--set <path=value>', 'set any config key, e.g. --set axon.concurrency=32 (repeatable)', collect);
}

const FLAG_MAP: ReadonlyArray<readonly [keyof CommonOptions, string, string]> = [
  ['netuid', 'netuid', '--netuid'],
  ['walletPath', 'wallet.path', '--wallet-path'],
  ['wallet.path', 'wallet.path', '--wallet.path'],
  ['wallet', 'wallet.name', '--wallet'],
  ['wallet.name', 'wallet.name', '--wallet.name'],
  ['hotkey', 'wallet.hotkey', '--hotkey'],
  ['wallet.hotkey', 'wallet.hotkey', '--wallet.hotkey'],
  ['port', 'axon.port', '--port'],
  ['externalIp', 'axon.externalIp', '--external-ip'],
  ['externalPort', 'axon.externalPort', '--external-port'],
  ['logLevel', 'log.level', '--log-level'],
  ['network', 'network.preset', '--network'],
];

export interface FlagSet {
  flags: Record<string, unknown>;
  flagSources: Record<string, string>;
}

/** Maps parsed options to loadConfig flags (dotted paths) and the flag names used for errors. */
export function flagsFromOptions(opts: CommonOptions): FlagSet {
  const flags: Record<string, unknown> = {};
  const flagSources: Record<string, string> = {};
  for (const entry of opts.set ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError(`config: bad --set "${entry}"; fix: write --set path=value, e.g. --set axon.port=8091`);
    }
    const path = entry.slice(0, eq).trim();
    flags[path] = entry.slice(eq + 1);
    flagSources[path] = `--set ${entry}`;
  }
  for (const [opt, path, name] of FLAG_MAP) {
    const value = opts[opt];
    if (value === undefined) continue;
    flags[path] = value;
    flagSources[path] = name;
  }
  if (opts.endpoint?.length) {
    flags['network.endpoints'] = opts.endpoint;
    flagSources['network.endpoints'] = '--endpoint';
  } else if (opts.network) {
    // Asking for a preset on the command line means that preset, not a file's explicit list.
    flags['network.endpoints'] = [];
    flagSources['network.endpoints'] = '--network';
  }
  if (opts.pretty) {
    flags['log.pretty'] = true;
    flagSources['log.pretty'] = '--pretty';
  }
  return { flags, flagSources };
}

/** The effective config for a command: defaults <- file (--config or MINER_CONFIG) <- env <- flags. */
export function configFromOptions(opts: CommonOptions, env: NodeJS.ProcessEnv = process.env): MinerConfig {
  const { flags, flagSources } = flagsFromOptions(opts);
  const configFile = opts.config ?? (env['MINER_CONFIG'] || undefined);
  return loadConfig({ configFile, env, flags, flagSources });
}

/**
 * Reads a secret from the terminal without echoing it. Rejects when stdin is not a TTY, so a
 * daemon never blocks on a prompt nobody sees.
 */
export async function promptSecret(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new WalletError('no terminal to ask for the password; fix: set MINER_COLDKEY_PASSWORD');
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise<string>((resolve, reject) => {
    let answer = '';
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new WalletError('password prompt interrupted'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}
