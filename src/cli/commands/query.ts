import type { Command } from 'commander';

// Placeholder until the owning subsystem lands its command.
export function registerQueryCommand(program: Command): void {
  program.command('query').description('(not yet available)').action(() => {
    throw new Error('command query is not built yet');
  });
}
