import type { Command } from 'commander';

// Placeholder until the owning subsystem lands its command.
export function registerRegisterCommand(program: Command): void {
  program.command('register').description('(not yet available)').action(() => {
    throw new Error('command register is not built yet');
  });
}
