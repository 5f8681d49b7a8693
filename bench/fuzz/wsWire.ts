/**
 * RFC 6455 written and read by hand, so the fuzzer can send what no WebSocket library would:
 * reserved bits, unknown opcodes, unmasked frames, lying lengths, fragmented control frames.
 */
import { randomBytes } from 'node:crypto';

export interface RawFrameOpts {
  fin?: boolean;
  /** Bits 0b111 = RSV1..3. */
  rsv?: number;
  opcode: number;
  payload: Buffer;
  /** Clients must mask; false sends an unmasked frame (a protocol error). */
  mask?: boolean;
  /** Declare this length instead of the payload's (truncation, lies). */
  declaredLength?: number;
  /** The masking key (default random). An all-zero key is valid and leaves the payload as is: cheap for floods. */
  maskKey?: Buffer;
}

export function rawFrame(o: RawFrameOpts): Buffer {
  const len = o.declaredLength ?? o.payload.length;
  const masked = o.mask ?? true;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + (masked ? 4 : 0) + o.payload.length);
  out[0] = ((o.fin ?? true) ? 0x80 : 0) | (((o.rsv ?? 0) & 7) << 4) | (o.opcode & 0x0f);
  const m = masked ? 0x80 : 0;
  if (len < 126) out[1] = m | len;
  else if (len < 65536) {
    out[1] = m | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = m | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!masked) {
    o.payload.copy(out, head);
    return out;
  }
  const key = o.maskKey ?? randomBytes(4);
  key.copy(out, head);
  const base = head + 4;
  if (key.readUInt32BE(0) === 0) o.payload.copy(out, base);
  else for (let i = 0; i < o.payload.length; i++) out[base + i] = o.payload[i]! ^ key[i & 3]!;
  return out;
}

export const textFrame = (s: string | Buffer): Buffer => rawFrame({ opcode: 1, payload: Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8') });

export function closeFrame(code: number | null, reason = ''): Buffer {
  if (code === null) return rawFrame({ opcode: 8, payload: Buffer.alloc(0) });
  const p = Buffer.alloc(2 + Buffer.byteLength(reason));
  p.writeUInt16BE(code, 0);
  p.write(reason, 2);
  return rawFrame({ opcode: 8, payload: p });
}

export function upgradeRequest(port: number, opts: { path?: string; version?: string | null; key?: string | null; extra?: string[] } = {}): string {
  const lines = [`GET ${opts.path ?? '/ws'} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade'];
  if (opts.key !== null) lines.push(`Sec-WebSocket-Key: ${opts.key ?? randomBytes(16).toString('base64')}`);
  if (opts.version !== null) lines.push(`Sec-WebSocket-Version: ${opts.version ?? '13'}`);
  lines.push(...(opts.extra ?? []));
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Walks complete frames of a server byte stream; returns the bytes consumed (a partial frame stays). */
export function scanFrames(buf: Buffer, onFrame: (opcode: number, payload: Buffer) => void): number {
  let off = 0;
  while (buf.length - off >= 2) {
    const b1 = buf[off + 1]! & 0x7f;
    let head = 2;
    let len = b1;
    if (b1 === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      head = 4;
    } else if (b1 === 127) {
      if (buf.length - off < 10) break;
      len = Number(buf.readBigUInt64BE(off + 2));
      head = 10;
    }
    if (buf.length - off < head + len) break;
    onFrame(buf[off]! & 0x0f, buf.subarray(off + head, off + head + len));
    off += head + len;
  }
  return off;
}

/** Splits a server byte stream into frames; stops at the first incomplete one. */
export function parseServerFrames(buf: Buffer): ServerFrame[] {
  const out: ServerFrame[] = [];
  scanFrames(buf, (opcode, payload) => out.push({ opcode, payload }));
  return out;
}
