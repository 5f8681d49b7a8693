import type { Command } from 'commander';
import { announceWarnings, configSchema, listLeaves, redactConfig } from '../../config/index.js';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';

const PRECEDENCE_HELP = `
Precedence, lowest first: built-in defaults <- BT_WALLET_PATH (wallet.path default only)
<- JSON config file (--config or MINER_CONFIG) <- MINER_* environment <- command-line flags.
Environment names follow the keys: axon.maxPayloadBytes -> MINER_AXON_MAX_PAYLOAD_BYTES;
lists are comma-separated (MINER_NETWORK_ENDPOINTS=ws://a,ws://b) or JSON; maps are JSON.
Relative paths in the config file resolve from the working directory, not from the file.
Unknown keys and bad values stop with exit code 78 and a message naming the key and source.`;

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('inspect and validate the configuration').addHelpText('after', PRECEDENCE_HELP);

  addCommonOptions(
    config
      .command('check')
      .description('validate the configuration and print the effective config as JSON (secrets never printed)')
      .addHelpText('after', PRECEDENCE_HELP),
  ).action((opts: CommonOptions) => {
    // A ConfigError thrown here reaches reportFatal: `error [CONFIG_INVALID]: ...`, exit 78.
    const cfg = configFromOptions(opts);
    // Printed as a valid config file of its own, so it can be saved and reused as is.
    console.log(JSON.stringify(redactConfig(cfg), null, 2));
    // Valid but not what a miner on a real network wants: on stderr, so stdout stays the config.
    for (const w of announceWarnings(cfg)) process.stderr.write(`warning [${w.warning}]: ${w.message}; fix: ${w.fix}\n`);
  });

  config
    .command('env')
    .description('list every config key with its MINER_* environment variable')
    .action(() => {
      for (const leaf of listLeaves(configSchema)) {
        console.log(`${leaf.envName.padEnd(48)} ${leaf.path.join('.')} (${leaf.kind})`);
      }
    });
}
