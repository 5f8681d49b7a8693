import type { Command } from 'commander';

// Placeholder until the owning subsystem lands its command.
export function registerValidateCommand(program: Command): void {
  program.command('validate').description('(not yet available)').action(() => {
    throw new Error('command validate is not built yet');
  });
}
