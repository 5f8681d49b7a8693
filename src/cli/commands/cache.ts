import type { Command } from 'commander';

// Placeholder until the owning subsystem lands its command.
export function registerCacheCommand(program: Command): void {
  program.command('cache').description('(not yet available)').action(() => {
    throw new Error('command cache is not built yet');
  });
}
