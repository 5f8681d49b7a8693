import type { Command } from 'commander';

// Placeholder until the owning subsystem lands its command.
export function registerStatusCommand(program: Command): void {
  program.command('status').description('(not yet available)').action(() => {
    throw new Error('command status is not built yet');
  });
}
