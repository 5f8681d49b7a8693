import type { Command } from 'commander';
import { ConfigError } from '../../util/index.js';

/**
 * `subnet-miner validate` was the validator simulator; it is a tool, not the miner, so it moved to
 * its own package (bin subnet-miner-validate). Kept hidden so that old scripts fail with a pointer
 * rather than commander's "unknown command".
 */
export function registerMovedValidateCommand(program: Command): void {
  program
    .command('validate', { hidden: true })
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new ConfigError(
        'the validator simulator moved out of the daemon: run `npm run validate -- <options>` or ' +
          '`node packages/validator-sim/bin/subnet-miner-validate.js <options>` (same options, no "validate")',
      );
    });
}
