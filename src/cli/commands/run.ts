import type { Command } from 'commander';

// Placeholder until the owning subsystem lands its command.
export function registerRunCommand(program: Command): void {
  program.command('run').description('(not yet available)').action(() => {
    throw new Error('command run is not built yet');
  });
}
