import type { Command } from 'commander';

// Placeholder until the owning subsystem lands its command.
export function registerConfigCommand(program: Command): void {
  program.command('config').description('(not yet available)').action(() => {
    throw new Error('command config is not built yet');
  });
}
