/** Families about the JSON itself: nesting, numbers, element counts, prototype keys, UTF-8. */
import {
  DEEP_BYTES_PER_LEVEL,
  deepJson,
  expectOneOf,
  httpBytes,
  httpCase,
  signedHttp,
  signedWs,
  withField,
  wsCase,
  type Family,
  type FuzzContext,
} from './caseKit.js';
import type { Rng } from './rng.js';
import { rawFrame } from './wsWire.js';

/**
 * Depth 10^3..10^6, capped so the text stays under the payload limit (arrays take 2 bytes a
 * level); `escaped`: the text travels inside a JSON string, where quotes double in size.
 */
function depthFor(rng: Rng, ctx: FuzzContext, escaped = false): { depth: number; text: string } {
  const budget = (ctx.maxPayloadBytes - 16_384) / (escaped ? 2 : 1);
  let depth = rng.logInt(3, 6);
  if (depth * 2 > budget) depth = Math.floor(budget / 2);
  const text = depth * DEEP_BYTES_PER_LEVEL > budget ? '['.repeat(depth) + ']'.repeat(depth) : deepJson(rng, depth);
  return { depth, text };
}

/** Deep enough that any sane nesting limit refuses it: 400 (never 5xx, never a dead process). */
// Refusals decided from the headers alone (blacklist 403, missing signature 401) come before the body is parsed.
const deepExpect = (depth: number) => (depth >= 10_000 ? expectOneOf([400, 401, 403]) : undefined);

const deepHttp: Family = {
  name: 'deep-nesting-http',
  gen: (rng, ctx) => {
    const { depth, text } = depthFor(rng, ctx);
    const signed = signedHttp(rng, ctx);
    const where = rng.int(0, 3);
    const body =
      where === 0
        ? withField(signed.body, 'deep', text)
        : where === 1
          ? signed.body.replace(/"dummy_input": \d+/, `"dummy_input": ${text}`)
          : where === 2
            ? text
            : withField(signed.body, 'dendrite', text);
    if (rng.bool(0.2)) delete signed.headers['bt_header_dendrite_signature'];
    const e = deepExpect(depth);
    return httpCase(
      'deep-nesting-http',
      `depth ${depth} at ${['extra field', 'dummy_input', 'top level', 'dendrite'][where]}`,
      httpBytes('POST', '/Dummy', signed.headers, body),
      { readMs: 5_000, ...(e ? { expect: e } : {}) },
    );
  },
};

const deepWsFrame: Family = {
  name: 'deep-nesting-ws-frame',
  gen: (rng, ctx) => {
    const { depth, text } = depthFor(rng, ctx);
    const where = rng.int(0, 2);
    const frame =
      where === 0
        ? text
        : where === 1
          ? `{"type":"request","id":"d${depth}","synapse":"Dummy","body":"{}","deep":${text}}`
          : `{"type":"request","id":"d${depth}","synapse":"Dummy","body":"{}","dendrite":${text}}`;
    const e = deepExpect(depth);
    return wsCase('deep-nesting-ws-frame', `depth ${depth} ${['frame', 'extra field', 'dendrite'][where]}`, ctx, [frame], {
      readMs: 5_000,
      ...(e ? { expect: e } : {}),
    });
  },
};

const deepWsBody: Family = {
  name: 'deep-nesting-ws-body',
  gen: (rng, ctx) => {
    const { depth, text } = depthFor(rng, ctx, true);
    const where = rng.int(0, 2);
    const body = where === 0 ? `{"dummy_input": 1, "deep": ${text}}` : where === 1 ? `{"dummy_input": ${text}}` : text;
    const frame = signedWs(rng, ctx, body, rng.bool(0.8) ? {} : { forge: { signature: '' } });
    const e = deepExpect(depth);
    return wsCase('deep-nesting-ws-body', `depth ${depth} ${['extra field', 'dummy_input', 'whole body'][where]}, signed by the validator`, ctx, [frame], {
      readMs: 5_000,
      ...(e ? { expect: e } : {}),
    });
  },
};

function hugeNumber(rng: Rng): string {
  return rng.pick([
    '1e400',
    '-1e400',
    '1e-400',
    '-0',
    '0.1e-999999',
    rng.digits(400),
    `-${rng.digits(400)}`,
    rng.digits(309),
    '9007199254740993',
    '18446744073709551616',
    '-9223372036854775809',
    `${rng.digits(20)}.${rng.digits(300)}`,
    '1E+308',
    '2e308',
    '123456789e-5000',
    'NaN',
    'Infinity',
    '-Infinity',
    '"NaN"',
    '"1e400"',
    '"Infinity"',
    `"${rng.digits(400)}"`,
    '0x10',
    '1_000',
    '+1',
    '.5',
    '01',
  ]);
}

const hugeNumbers: Family = {
  name: 'huge-numbers',
  gen: (rng, ctx) => {
    const n = hugeNumber(rng);
    const where = rng.int(0, 6);
    const note = `${n.slice(0, 24)}${n.length > 24 ? '…' : ''} in ${['http dummy_input', 'http timeout header', 'http nonce header', 'http body timeout', 'ws timeout', 'ws nonce', 'ws body dummy_input'][where]}`;
    if (where <= 3) {
      const s = signedHttp(rng, ctx);
      let body = s.body;
      if (where === 0) body = body.replace(/"dummy_input": \d+/, `"dummy_input": ${n}`);
      if (where === 1) s.headers['timeout'] = n;
      if (where === 2) s.headers['bt_header_dendrite_nonce'] = n;
      if (where === 3) body = body.replace(/"timeout": [\d.]+/, `"timeout": ${n}`);
      return httpCase('huge-numbers', note, httpBytes('POST', '/Dummy', s.headers, body));
    }
    if (where === 6) return wsCase('huge-numbers', note, ctx, [signedWs(rng, ctx, `{"dummy_input": ${n}}`)]);
    const frame = JSON.stringify(signedWs(rng, ctx, '{"dummy_input": 2}'));
    const text = where === 4 ? frame.replace(/"timeout":[\d.]+/, `"timeout":${n}`) : frame.replace(/"nonce":"\d+"/, `"nonce":${n}`);
    return wsCase('huge-numbers', note, ctx, [text]);
  },
};

function manyElements(rng: Rng, n: number): string {
  switch (rng.int(0, 3)) {
    case 0:
      return `[${new Array<string>(n).fill('0').join(',')}]`;
    case 1:
      return `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    case 2:
      return `{${new Array<string>(n).fill('"a":1').join(',')}}`;
    default:
      return `[${new Array<string>(n).fill('{}').join(',')}]`;
  }
}

const manyKeys: Family = {
  name: 'many-keys',
  gen: (rng, ctx) => {
    const n = rng.pick([10_000, 100_000, 100_000, 200_000]);
    const text = manyElements(rng, n);
    const where = rng.int(0, 2);
    const note = `${n} elements in ${['http body (signed)', 'ws frame', 'ws body (signed)'][where]}`;
    if (where === 0) {
      const s = signedHttp(rng, ctx);
      return httpCase('many-keys', note, httpBytes('POST', '/Dummy', s.headers, withField(s.body, 'many', text)), { readMs: 5_000 });
    }
    if (where === 1) return wsCase('many-keys', note, ctx, [`{"type":"request","id":"m1","synapse":"Dummy","body":"{}","many":${text}}`], { readMs: 5_000 });
    return wsCase('many-keys', note, ctx, [signedWs(rng, ctx, `{"dummy_input": 1, "many": ${text}}`)], { readMs: 5_000 });
  },
};

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'then'];

const protoKeys: Family = {
  name: 'prototype-keys',
  gen: (rng, ctx) => {
    const k = rng.pick(PROTO_KEYS);
    const where = rng.int(0, 6);
    const note = `${k} as ${['http body key', 'http path', 'http dendrite key', 'ws body key', 'ws synapse', 'ws id', 'ws dendrite key'][where]}`;
    const inner = rng.pick(['{"dummy_input": 5}', '{"prototype": {"polluted": 1}}', 'null', '1', '"x"', '[]']);
    if (where <= 2) {
      const s = signedHttp(rng, ctx);
      let body = s.body;
      if (where === 0) body = withField(body, k, inner);
      if (where === 2) body = body.replace('"dendrite": {', `"dendrite": {${JSON.stringify(k)}: ${inner}, `);
      return httpCase('prototype-keys', note, httpBytes('POST', where === 1 ? `/${k}` : '/Dummy', s.headers, body));
    }
    if (where === 3) return wsCase('prototype-keys', note, ctx, [signedWs(rng, ctx, `{"dummy_input": 1, ${JSON.stringify(k)}: ${inner}}`)]);
    const frame = signedWs(rng, ctx, '{"dummy_input": 1}');
    if (where === 4) frame['synapse'] = k;
    if (where === 5) frame['id'] = k;
    let text = JSON.stringify(frame);
    if (where === 6) text = text.replace('"dendrite":{', `"dendrite":{${JSON.stringify(k)}:${inner},`);
    return wsCase('prototype-keys', note, ctx, [text]);
  },
};

const BAD_UTF8 = ['ff', 'c080', 'eda080', 'f8888080', 'e282', 'c3', 'fe', 'edbfbf', 'f4908080', 'c0af'].map((h) => Buffer.from(h, 'hex'));

const invalidUtf8: Family = {
  name: 'invalid-utf8',
  gen: (rng, ctx) => {
    const bad = rng.pick(BAD_UTF8);
    const where = rng.int(0, 4);
    const note = `${bad.toString('hex')} in ${['http body string', 'http hotkey header', 'ws text frame', 'ws body (lone surrogate escape, signed)', 'ws frame inside body string'][where]}`;
    if (where === 0) {
      const s = signedHttp(rng, ctx);
      const i = s.body.indexOf('"computed_body_hash": "') + 23;
      const body = Buffer.concat([Buffer.from(s.body.slice(0, i)), bad, Buffer.from(s.body.slice(i))]);
      return httpCase('invalid-utf8', note, httpBytes('POST', '/Dummy', s.headers, body));
    }
    if (where === 1) {
      const s = signedHttp(rng, ctx);
      const head = httpBytes('POST', '/Dummy', { ...s.headers, bt_header_dendrite_hotkey: 'HOTKEY' }, s.body);
      const at = head.indexOf('HOTKEY');
      return httpCase('invalid-utf8', note, Buffer.concat([head.subarray(0, at), bad, head.subarray(at + 6)]));
    }
    if (where === 3) return wsCase('invalid-utf8', note, ctx, [signedWs(rng, ctx, `{"dummy_input": 1, "s": "\\ud800${rng.bool() ? '' : '\\udc00\\udfff'}"}`)]);
    const text = Buffer.from(JSON.stringify(signedWs(rng, ctx, '{"dummy_input": 1}')));
    const at = where === 2 ? rng.int(0, text.length) : text.indexOf('dummy_input');
    const payload = Buffer.concat([text.subarray(0, at), bad, text.subarray(at)]);
    return wsCase('invalid-utf8', note, ctx, [rawFrame({ opcode: 1, payload })], { expect: expectOneOf([], [1007]) });
  },
};

export const STRUCTURE_FAMILIES: Family[] = [deepHttp, deepWsFrame, deepWsBody, hugeNumbers, manyKeys, protoKeys, invalidUtf8];
