import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_BODY_HASH, computeBodyHash, pyStr, sha3Hex } from '../../../src/wire/bodyHash.js';

describe('body hash', () => {
  it('is the sha3-256("") constant without required_hash_fields', () => {
    expect(EMPTY_BODY_HASH).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
    expect(sha3Hex('')).toBe(EMPTY_BODY_HASH);
    expect(computeBodyHash({ dummy_input: 3 }, undefined)).toBe(EMPTY_BODY_HASH);
    expect(computeBodyHash({ dummy_input: 3 }, [])).toBe(EMPTY_BODY_HASH);
  });

  it('follows Python: sha3 of the joined sha3 hex digests of str(field)', () => {
    const h = (s: string): string => createHash('sha3-256').update(s).digest('hex');
    const body = { text: 'héllo', n: 42, flag: true, none: null };
    expect(computeBodyHash(body, ['text', 'n'])).toBe(h(h('héllo') + h('42')));
    expect(computeBodyHash(body, ['flag', 'none'])).toBe(h(h('True') + h('None')));
  });

  it('writes values as Python str() does', () => {
    expect(pyStr(3)).toBe('3');
    expect(pyStr(0.5)).toBe('0.5');
    expect(pyStr(1e-7)).toBe('1e-07');
    expect(pyStr('x')).toBe('x');
    expect(pyStr([1, 'a', null, false])).toBe("[1, 'a', None, False]");
    expect(pyStr({ a: 1, "it's": 'x' })).toBe(`{'a': 1, "it's": 'x'}`);
  });
});
