import { describe, expect, it, vi } from 'vitest';
import { codeMessageAnswer } from '../../../src/axon/forms/jsonForms.js';
import { reportFatal } from '../../../src/cli/report.js';
import { chainErrorOf, rejected } from '../../../src/chain/submitExtrinsic.js';
import { ERROR_TABLE, EXIT_CODES, MinerError, exitCodeFor, isRejection, publicMessage, specFor, type ErrorCode } from '../../../src/util/index.js';

const codes = Object.keys(ERROR_TABLE) as ErrorCode[];
const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'];

describe('ERROR_TABLE', () => {
  it('gives every code every column', () => {
    for (const code of codes) {
      const spec = specFor(code);
      expect(Number.isInteger(spec.status) && spec.status >= 400 && spec.status < 600, code).toBe(true);
      expect(LEVELS, code).toContain(spec.level);
      expect(spec.metricLabel, code).toMatch(/^[a-z_]+$/);
      expect(typeof spec.publicMessage, code).toBe('boolean');
      expect(typeof spec.rejection, code).toBe('boolean');
      expect(Object.values(EXIT_CODES), code).toContain(spec.exitCode);
      if ('retryAfterSec' in spec) expect(spec.status, code).toBe(503);
    }
    expect(new Set(codes.map((c) => specFor(c).metricLabel)).size).toBe(codes.length);
  });

  it('the CLI exit code, the wire status, the public message and the rejection count come from the table', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      for (const code of codes) {
        const err = new MinerError(code, 'secret detail');
        const spec = ERROR_TABLE[code];
        expect(reportFatal(err), code).toBe(spec.exitCode);
        expect(exitCodeFor(err), code).toBe(spec.exitCode);
        expect(codeMessageAnswer(err).status, code).toBe(spec.status);
        expect(publicMessage(err) === 'secret detail', code).toBe(spec.publicMessage);
        expect(isRejection(err), code).toBe(spec.rejection);
      }
    } finally {
      spy.mockRestore();
    }
    expect(exitCodeFor(new Error('a bug'))).toBe(ERROR_TABLE.INTERNAL.exitCode);
    expect(isRejection(new Error('a bug'))).toBe(false);
  });

  it('carries typed details where callers read them', () => {
    const err = rejected('SubtensorModule.TooManyRegistrationsThisBlock');
    expect(err.is('CHAIN_REJECTED') && err.details?.chainError).toBe('SubtensorModule.TooManyRegistrationsThisBlock');
    expect(chainErrorOf(err)).toBe('SubtensorModule.TooManyRegistrationsThisBlock');
    expect(chainErrorOf(new MinerError('CHAIN_UNAVAILABLE', 'down'))).toBeUndefined();
  });
});
