import { describe, expect, it } from 'vitest';
import { jsonBoundsViolation, parseBoundedJson } from '../../../src/axon/boundedJson.js';
import { MinerError } from '../../../src/util/index.js';

const B = { maxDepth: 8, maxElements: 100 };
const v = (s: string) => jsonBoundsViolation(Buffer.from(s), B);

describe('bounded JSON', () => {
  it('accepts documents within the bounds', () => {
    expect(v('{"a":[1,2,{"b":"c"}],"d":null}')).toBeNull();
    expect(parseBoundedJson('{"a":[1,2,3]}', B, 'body')).toEqual({ a: [1, 2, 3] });
  });

  it('refuses nesting past the bound without recursing, even a million levels deep', () => {
    expect(v('[[[[[[[[[1]]]]]]]]]')).toMatch(/nesting deeper than 8/);
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(v(deep)).toMatch(/nesting/);
    expect(() => parseBoundedJson(deep, B, 'body')).toThrow(/Bad Request: body JSON has nesting deeper than 8 levels/);
  });

  it('counts depth across both bracket kinds and closes', () => {
    expect(v('{"a":{"b":[{"c":[1]}]}}')).toBeNull();
    expect(v('[' + '[],'.repeat(30) + '[]]')).toBeNull();
  });

  it('refuses too many elements', () => {
    expect(v('[' + '0,'.repeat(150) + '0]')).toMatch(/more than 100 elements/);
    expect(v('{' + Array.from({ length: 150 }, (_, i) => `"k${i}":1`).join(',') + '}')).toMatch(/elements/);
  });

  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    expect(v(JSON.stringify({ s: '[[[[[[[[[[[[,,,,,{{{{{{{{{{{' }))).toBeNull();
    expect(v(JSON.stringify({ s: 'a\\"[[[[[[[[[[[[[[[["\\\\' }))).toBeNull();
    expect(v('{"s":"\\\\"}')).toBeNull();
  });

  it('leaves malformed JSON to JSON.parse, which refuses it as a 400', () => {
    expect(v('{"s":"unterminated')).toBeNull();
    try {
      parseBoundedJson('{"s":', B, 'frame');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MinerError);
      expect((e as MinerError).code).toBe('BAD_REQUEST');
      expect((e as MinerError).message).toBe('Bad Request: frame is not valid JSON');
    }
  });

  it('survives invalid UTF-8 bytes', () => {
    const buf = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    expect(jsonBoundsViolation(buf, B)).toBeNull();
    expect(parseBoundedJson(buf, B, 'body')).toHaveProperty('a');
  });
});
