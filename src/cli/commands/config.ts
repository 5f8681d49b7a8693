import type { Command } from 'commander';
import { configSchema, listLeaves, redactConfig } from '../../config/index.js';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('inspect and validate the configuration');

  addCommonOptions(
    config.command('check')
      .description('validate the configuration and print the effective config as JSON (secrets never printed)'),
  ).action((opts: CommonOptions) => {
    // A ConfigError thrown here reaches reportFatal: `error [CONFIG_INVALID]: ...`, exit 78.
    const cfg = configFromOptions(opts);
    // Printed as a valid config file of its own, so it can be saved and reused as is.
    console.log(JSON.stringify(redactConfig(cfg), null, 2));
  });

  config.command('env')
    .description('list every config key with its MINER_* environment variable')
    .action(() => {
      for (const leaf of listLeaves(configSchema)) {
        console.log(`${leaf.envName.padEnd(48)} ${leaf.path.join('.')} (${leaf.kind})`);
      }
    });
}
