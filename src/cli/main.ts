#!/usr/bin/env node
import { Command } from 'commander';
import { registerRunCommand } from './commands/run.js';
import { registerStatusCommand } from './commands/status.js';
import { registerRegisterCommand } from './commands/register.js';
import { registerConfigCommand } from './commands/config.js';
import { registerQueryCommand } from './commands/query.js';
import { registerCacheCommand } from './commands/cache.js';
import { registerMovedValidateCommand } from './commands/movedValidate.js';
import { commanderExitCode, reportFatal } from './report.js';
import { packageVersion } from './packageInfo.js';

async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('subnet-miner')
    .description('Bittensor-style subnet miner: chain sync, axon, batched ONNX inference, cache, monitoring')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride((err) => {
      process.exit(commanderExitCode(err));
    });
  registerRunCommand(program);
  registerStatusCommand(program);
  registerRegisterCommand(program);
  registerConfigCommand(program);
  registerQueryCommand(program);
  registerCacheCommand(program);
  registerMovedValidateCommand(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  process.exitCode = reportFatal(err);
});
