import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { commanderExitCode, reportFatal } from '../../../src/cli/report.js';
import { describeError, ERROR_TABLE, EXIT_CODES, exitCodeFor, MinerError, WalletError } from '../../../src/util/index.js';

describe('exit codes', () => {
  it('gives every error code an exit code, with the documented values for the classes systemd acts on', () => {
    for (const spec of Object.values(ERROR_TABLE)) expect(Number.isInteger(spec.exitCode)).toBe(true);
    expect(ERROR_TABLE.CONFIG_INVALID.exitCode).toBe(78);
    expect(ERROR_TABLE.WALLET_INVALID.exitCode).toBe(77);
    expect(ERROR_TABLE.CHAIN_UNAVAILABLE.exitCode).toBe(69);
    expect(ERROR_TABLE.USAGE.exitCode).toBe(64);
    expect(ERROR_TABLE.INTERNAL.exitCode).toBe(70);
    expect(exitCodeFor(new Error('x'))).toBe(70);
  });

  it('the unit file prevents restarts exactly for the setup errors and takes the forced stop as success', () => {
    const unit = readFileSync(new URL('../../../systemd/subnet-miner.service', import.meta.url), 'utf8');
    const prevent = /^RestartPreventExitStatus=(.*)$/m.exec(unit)?.[1]?.split(/\s+/).map(Number).sort();
    expect(prevent).toEqual([EXIT_CODES.USAGE, EXIT_CODES.WALLET_INVALID, EXIT_CODES.CONFIG_INVALID].sort());
    expect(/^SuccessExitStatus=(.*)$/m.exec(unit)?.[1]).toBe(String(EXIT_CODES.FORCED_STOP));
    expect(prevent).not.toContain(EXIT_CODES.CHAIN_UNAVAILABLE);
  });

  it('splits message and fix the way status prints them, and reportFatal returns the table value', () => {
    const err = new WalletError('hotkey file /w/h is accessible by group or others (mode 0644); fix: chmod 600 /w/h');
    expect(describeError(err)).toMatchObject({
      code: 'WALLET_INVALID',
      message: 'hotkey file /w/h is accessible by group or others (mode 0644)',
      fix: 'chmod 600 /w/h',
      exitCode: 77,
    });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(reportFatal(new MinerError('CHAIN_UNAVAILABLE', 'cannot reach the chain'))).toBe(69);
    expect(String(spy.mock.calls[0]?.[0])).toBe('error [CHAIN_UNAVAILABLE]: cannot reach the chain');
    spy.mockRestore();
  });

  it('maps commander exits: help/version 0, refusals are usage errors', () => {
    expect(commanderExitCode(new CommanderError(0, 'commander.version', '0.1.0'))).toBe(0);
    expect(commanderExitCode(new CommanderError(1, 'commander.unknownOption', 'unknown option'))).toBe(64);
  });
});
