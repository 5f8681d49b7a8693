import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, questionOf } from '../../../src/cache/index.js';

const dummy = { name: 'Dummy', modelId: 'dummy-v1', inputFields: ['dummy_input'] as const };
const two = { name: 'Two', modelId: 'm1', inputFields: ['a', 'b'] as const };

describe('cache key', () => {
  it('canonical JSON sorts keys at every depth and spells numbers one way', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, -0, 1.5e300], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,0,1.5e+300]},"b":1}');
    expect(canonicalJson({ a: 1.0 })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson(Number.NaN)).not.toBe(canonicalJson(null));
  });

  it('uses only the input fields of an object, never nonce, timeout or outputs', () => {
    const body = { a: 1, b: [2, 3], timeout: 12, dendrite: { nonce: 5, uuid: 'u' }, axon: {}, out: 'x' };
    const other = { b: [2, 3], a: 1, timeout: 99, dendrite: { nonce: 6, uuid: 'v' }, out: 'y' };
    expect(questionOf(two, body)).toEqual({ a: 1, b: [2, 3] });
    const k = (input: unknown) => cacheKey({ synapse: two, input, policy: 'shared', callerHotkey: 'h1' });
    expect(k(body)).toBe(k(other));
    expect(k({ ...body, a: 2 })).not.toBe(k(body));
  });

  it('a bare parsed value is the value of the single input field', () => {
    expect(questionOf(dummy, 7)).toEqual({ dummy_input: 7 });
    const k = (input: unknown) => cacheKey({ synapse: dummy, input, policy: 'shared', callerHotkey: 'h' });
    expect(k(7)).toBe(k({ dummy_input: 7, dummy_output: 14 }));
    expect(k(7)).not.toBe(k(8));
  });

  it('scope: shared and off ignore the caller, per-validator does not', () => {
    const k = (policy: 'shared' | 'per-validator' | 'off', callerHotkey: string) => cacheKey({ synapse: dummy, input: 3, policy, callerHotkey });
    expect(k('shared', 'A')).toBe(k('shared', 'B'));
    expect(k('off', 'A')).toBe(k('shared', 'B'));
    expect(k('per-validator', 'A')).not.toBe(k('per-validator', 'B'));
    expect(k('per-validator', 'A')).not.toBe(k('shared', 'A'));
  });

  it('model identity and synapse name are part of the key; byte arrays hash by content', () => {
    const base = cacheKey({ synapse: dummy, input: 3, policy: 'shared', callerHotkey: '' });
    expect(cacheKey({ synapse: { ...dummy, modelId: 'dummy-v2' }, input: 3, policy: 'shared', callerHotkey: '' })).not.toBe(base);
    expect(cacheKey({ synapse: { ...dummy, name: 'Other' }, input: 3, policy: 'shared', callerHotkey: '' })).not.toBe(base);
    const img = { name: 'Img', modelId: 'm', inputFields: ['image'] };
    const kb = (b: Uint8Array) => cacheKey({ synapse: img, input: { image: b }, policy: 'shared', callerHotkey: '' });
    expect(kb(Buffer.from([1, 2, 3]))).toBe(kb(new Uint8Array([1, 2, 3])));
    expect(kb(Buffer.from([1, 2, 3]))).not.toBe(kb(Buffer.from([1, 2, 4])));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
