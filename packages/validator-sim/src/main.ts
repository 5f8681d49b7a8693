#!/usr/bin/env node
// The validator simulator's own composition root (bin subnet-miner-validate): a devnet validator
// that sends synthetic invoice pages, scores miners with the OCR tutorial reward and sets weights.
import { Command } from 'commander';
import { commanderExitCode, reportFatal } from '../../../src/cli/index.js';
import { configureValidateCommand } from './validateCli.js';

async function main(argv: string[]): Promise<void> {
  const program = new Command('subnet-miner-validate').showHelpAfterError().exitOverride((err) => {
    process.exit(commanderExitCode(err));
  });
  configureValidateCommand(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  process.exitCode = reportFatal(err);
});
