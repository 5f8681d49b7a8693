/** Families about the WebSocket form: frame sizes, field types, handshakes, frames written by hand. */
import { expectOneOf, signedWs, wsCase, type Family, type FuzzCase } from './caseKit.js';
import type { Step } from './exchange.js';
import { closeFrame, rawFrame, textFrame, upgradeRequest } from './wsWire.js';

/** A request text of exactly `size` bytes whose id is visible in its first bytes. */
function paddedRequest(size: number): Buffer {
  const head = '{"type":"request","id":"big","synapse":"Dummy","body":"{}","pad":"';
  const buf = Buffer.alloc(size, 0x78);
  buf.write(head, 0, 'latin1');
  buf.write('"}', size - 2, 'latin1');
  return buf;
}

const oversizedWs: Family = {
  name: 'oversized-ws',
  gen: (rng, ctx) => {
    const max = ctx.maxPayloadBytes;
    const mode = rng.int(0, 4);
    if (mode === 0 || mode === 1) {
      // Within the hard limit (2x): answered 413 on the frame, connection kept.
      const size = mode === 0 ? max + rng.int(1, 4096) : rng.int(max + 1, 2 * max);
      return wsCase(
        'oversized-ws',
        `text frame ${size} bytes (limit ${max})`,
        ctx,
        [rawFrame({ opcode: rng.bool(0.8) ? 1 : 2, payload: paddedRequest(size) })],
        { readMs: 4_000, expect: expectOneOf([413]) },
      );
    }
    if (mode === 2) {
      // Over the hard limit, all bytes sent: close 1009, never an abnormal close.
      const size = 2 * max + rng.int(1, 1 << 20);
      return wsCase('oversized-ws', `text frame ${size} bytes, all sent`, ctx, [rawFrame({ opcode: 1, payload: paddedRequest(size) })], {
        readMs: 4_000,
        expect: expectOneOf([], [1009]),
      });
    }
    if (mode === 3) {
      const declared = rng.pick([2 * max + 1, 16 * max, 2 ** 40]);
      const frame = rawFrame({ opcode: 1, payload: Buffer.alloc(rng.int(0, 65536), 0x20), declaredLength: declared });
      return wsCase('oversized-ws', `header declares ${declared} bytes, ${frame.length} sent`, ctx, [frame], {
        readMs: 3_000,
        expect: expectOneOf([], [1009]),
      });
    }
    // Fragments that add up to more than the hard limit.
    const piece = Buffer.alloc(256 * 1024, 0x20);
    const n = Math.ceil((2 * max) / piece.length) + 1;
    const frames = [rawFrame({ opcode: 1, fin: false, payload: piece })];
    for (let i = 1; i < n; i++) frames.push(rawFrame({ opcode: 0, fin: i === n - 1, payload: piece }));
    return wsCase('oversized-ws', `${n} fragments of 256 KiB`, ctx, frames, { answers: 1, readMs: 4_000, expect: expectOneOf([413], [1009]) });
  },
};

const ODD = [0, -1, 1.5, 1e308, -0, [], [1], {}, { a: 1 }, null, '', true, false, 'x'.repeat(10_000), '\u0000', '😀', '__proto__'];
const WS_FIELDS = ['type', 'id', 'synapse', 'timeout', 'body', 'dendrite'];
const DENDRITE_FIELDS = ['hotkey', 'nonce', 'uuid', 'signature'];

const wrongTypesWs: Family = {
  name: 'wrong-types-ws',
  gen: (rng, ctx) => {
    const frame = signedWs(rng, ctx, `{"dummy_input": ${rng.int(0, 99)}}`);
    const v = rng.pick(ODD);
    const drop = rng.bool(0.15);
    const show = drop ? 'missing' : JSON.stringify(v)?.slice(0, 20);
    if (rng.bool(0.55)) {
      const f = rng.pick(WS_FIELDS);
      if (drop) delete frame[f];
      else frame[f] = v;
      return wsCase('wrong-types-ws', `${f} = ${show}`, ctx, [frame]);
    }
    const d = frame['dendrite'] as Record<string, unknown>;
    const f = rng.pick(DENDRITE_FIELDS);
    if (drop) delete d[f];
    else d[f] = v;
    if (rng.bool(0.2)) {
      // The same id twice in flight: the second is a 400, the first still answered.
      return wsCase('wrong-types-ws', `dendrite.${f} = ${show}, frame sent twice`, ctx, [frame, frame], { answers: 2 });
    }
    return wsCase('wrong-types-ws', `dendrite.${f} = ${show}`, ctx, [frame]);
  },
};

function handshake(port: number, k: number): { note: string; bytes: string } {
  const key = Buffer.alloc(16, 7).toString('base64');
  switch (k) {
    case 0:
      return { note: 'Sec-WebSocket-Version 8', bytes: upgradeRequest(port, { version: '8' }) };
    case 1:
      return { note: 'Sec-WebSocket-Version abc', bytes: upgradeRequest(port, { version: 'abc' }) };
    case 2:
      return { note: 'no Sec-WebSocket-Version', bytes: upgradeRequest(port, { version: null }) };
    case 3:
      return { note: 'no Sec-WebSocket-Key', bytes: upgradeRequest(port, { key: null }) };
    case 4:
      return { note: 'key not 16 bytes', bytes: upgradeRequest(port, { key: 'c2hvcnQ=' }) };
    case 5:
      return { note: 'path /wss', bytes: upgradeRequest(port, { path: '/wss', key }) };
    case 6:
      return { note: 'path /ws/../Dummy', bytes: upgradeRequest(port, { path: '/ws/../Dummy', key }) };
    case 7:
      return { note: 'path /WS', bytes: upgradeRequest(port, { path: '/WS', key }) };
    case 8:
      return { note: 'path /ws%00', bytes: upgradeRequest(port, { path: '/ws%00', key }) };
    case 9:
      return { note: 'upgrade with a body', bytes: upgradeRequest(port, { key, extra: ['Content-Length: 10'] }) + '0123456789' };
    case 10:
      return { note: 'POST with upgrade', bytes: upgradeRequest(port, { key }).replace('GET', 'POST') };
    case 11:
      return { note: 'Upgrade: h2c', bytes: upgradeRequest(port, { key }).replace('Upgrade: websocket', 'Upgrade: h2c') };
    case 12:
      return { note: 'HTTP/1.0 upgrade', bytes: upgradeRequest(port, { key }).replace('HTTP/1.1', 'HTTP/1.0') };
    case 13:
      return { note: 'two keys', bytes: upgradeRequest(port, { key, extra: [`Sec-WebSocket-Key: ${key}`] }) };
    case 14:
      return {
        note: 'permessage-deflate offer',
        bytes: upgradeRequest(port, { extra: ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits'] }),
      };
    case 15:
      return { note: 'upgrade, then frames in the same write', bytes: upgradeRequest(port) };
    default:
      return { note: 'Connection: keep-alive only', bytes: upgradeRequest(port, { key }).replace('Connection: Upgrade', 'Connection: keep-alive') };
  }
}

const badHandshake: Family = {
  name: 'bad-ws-handshake',
  gen: (rng, ctx) => {
    const k = rng.int(0, 16);
    const h = handshake(ctx.port, k);
    const steps: Step[] = [{ write: h.bytes }];
    if (k === 15) steps[0] = { write: Buffer.concat([Buffer.from(h.bytes), textFrame(JSON.stringify(signedWs(rng, ctx, '{"dummy_input": 3}')))]) };
    const c: FuzzCase = { family: 'bad-ws-handshake', note: h.note, ex: { kind: 'ws', steps, readMs: 1_500, answers: 1 } };
    return c;
  },
};

const BAD_CLOSE = [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535];

function badFrame(k: number, valid: Buffer): { note: string; frames: Buffer[] } {
  const p = Buffer.from('{"type":"request"}');
  switch (k) {
    case 0:
      return { note: 'RSV1 set', frames: [rawFrame({ opcode: 1, rsv: 4, payload: p })] };
    case 1:
      return { note: 'RSV2+3 set', frames: [rawFrame({ opcode: 1, rsv: 3, payload: p })] };
    case 2:
      return { note: 'opcode 3', frames: [rawFrame({ opcode: 3, payload: p })] };
    case 3:
      return { note: 'opcode 0xB', frames: [rawFrame({ opcode: 0xb, payload: p })] };
    case 4:
      return { note: 'fragmented ping', frames: [rawFrame({ opcode: 9, fin: false, payload: Buffer.from('x') })] };
    case 5:
      return { note: 'continuation without start', frames: [rawFrame({ opcode: 0, payload: p })] };
    case 6:
      return { note: 'unmasked text frame', frames: [rawFrame({ opcode: 1, payload: p, mask: false })] };
    case 7:
      return { note: 'ping of 126 bytes', frames: [rawFrame({ opcode: 9, payload: Buffer.alloc(126) })] };
    case 8:
      return { note: 'close with 1 byte', frames: [rawFrame({ opcode: 8, payload: Buffer.from([3]) })] };
    case 9:
      return { note: 'text inside a fragmented text', frames: [rawFrame({ opcode: 1, fin: false, payload: p }), rawFrame({ opcode: 1, payload: p })] };
    case 10:
      return { note: 'valid request split in 3 fragments with a ping between', frames: splitValid(valid) };
    case 11:
      return { note: 'close, then more frames', frames: [closeFrame(1000), valid] };
    case 12:
      return { note: 'pong unsolicited, then a request', frames: [rawFrame({ opcode: 10, payload: Buffer.from('p') }), valid] };
    case 13:
      return { note: 'close with invalid UTF-8 reason', frames: [rawFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8, 0xff, 0xfe]) })] };
    case 14:
      return { note: 'zero-length text frame', frames: [rawFrame({ opcode: 1, payload: Buffer.alloc(0) })] };
    default:
      return { note: `close code ${BAD_CLOSE[k - 15]}`, frames: [closeFrame(BAD_CLOSE[k - 15]!)] };
  }
}

function splitValid(valid: Buffer): Buffer[] {
  // `valid` is a whole masked frame; rebuild its payload from the JSON instead.
  const text = unmask(valid);
  const a = Math.floor(text.length / 3);
  return [
    rawFrame({ opcode: 1, fin: false, payload: text.subarray(0, a) }),
    rawFrame({ opcode: 9, payload: Buffer.from('mid') }),
    rawFrame({ opcode: 0, fin: false, payload: text.subarray(a, 2 * a) }),
    rawFrame({ opcode: 0, fin: true, payload: text.subarray(2 * a) }),
  ];
}

function unmask(frame: Buffer): Buffer {
  const b1 = frame[1]! & 0x7f;
  const head = b1 < 126 ? 2 : b1 === 126 ? 4 : 10;
  const key = frame.subarray(head, head + 4);
  const out = Buffer.from(frame.subarray(head + 4));
  for (let i = 0; i < out.length; i++) out[i] = out[i]! ^ key[i & 3]!;
  return out;
}

const badFrames: Family = {
  name: 'bad-ws-frames',
  gen: (rng, ctx) => {
    const k = rng.int(0, 14 + BAD_CLOSE.length);
    const valid = textFrame(JSON.stringify(signedWs(rng, ctx, '{"dummy_input": 4}')));
    const f = badFrame(k, valid);
    const lead = rng.bool(0.4);
    const frames = lead ? [textFrame(JSON.stringify(signedWs(rng, ctx, '{"dummy_input": 5}'))), ...f.frames] : f.frames;
    return wsCase('bad-ws-frames', `${lead ? 'a request, then ' : ''}${f.note}`, ctx, frames, { answers: (lead ? 1 : 0) + 1, readMs: 1_500 });
  },
};

export const WS_FAMILIES: Family[] = [oversizedWs, wrongTypesWs, badHandshake, badFrames];
