/**
 * A deliberately cheap WebSocket flood for bench/axon.ts. An attacker floods from its own
 * machines; here it shares the axon's two cores, so the generator must cost as little as it
 * can: one masked frame built once and written in batches, answers counted from frame headers
 * without parsing them. It speaks just enough of RFC 6455 to do that.
 */
import { connect, type Socket } from 'node:net';
import { scanFrames } from './fuzz/wsWire.js';
import { randomBytes } from 'node:crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import { buildWsFrame } from '../src/client/index.js';

/** One client-to-server text frame (clients must mask; a fixed mask is still a valid frame). */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + 4 + len);
  out[0] = 0x81;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/** Counts complete server frames in a byte stream, keeping a partial tail between chunks. */
export class FrameCounter {
  private tail: Buffer = Buffer.alloc(0);
  frames = 0;

  push(chunk: Buffer): void {
    let buf = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    const off = scanFrames(buf, (opcode) => {
      if (opcode === 0x1) this.frames++;
    });
    buf = buf.subarray(off);
    this.tail = buf.length > 0 ? Buffer.from(buf) : Buffer.alloc(0);
  }
}

/** Opens `/ws` with a hand-written upgrade request; resolves with the socket once 101 arrives. */
export function openRawWs(port: number, counter: FrameCounter): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let upgraded = false;
    let pending = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(
        [
          'GET /ws HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) return counter.push(chunk);
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!pending.subarray(0, 12).toString().includes(' 101')) {
        reject(new Error(`upgrade refused: ${pending.subarray(0, end).toString()}`));
        return;
      }
      upgraded = true;
      const rest = pending.subarray(end + 4);
      if (rest.length > 0) counter.push(rest);
      resolve(socket);
    });
  });
}

/**
 * `ratePerSec` 0: as fast as the axon answers (closed loop, 256 in flight per connection).
 * Runs at nice 19 on the raw client of rawFlood.ts: a real flood comes from other machines,
 * so its generator should not be what takes the axon's cores.
 */
export async function floodMain(port: number, connections: number, ratePerSec: number, ferdie: KeyringPair, eve: KeyringPair): Promise<void> {
  const body = JSON.stringify({ dummy_input: 1 });
  const frame = maskedTextFrame(
    JSON.stringify(
      buildWsFrame({
        id: 'f',
        synapse: 'Dummy',
        bodyText: body,
        timeoutSec: 12,
        address: ferdie.address,
        sign: () => new Uint8Array(64),
        uuid: 'flood',
        nonce: BigInt(Date.now()) * 1_000_000n,
        axonHotkey: eve.address,
      }),
    ),
  );
  const counters: FrameCounter[] = [];
  const tickMs = 5;
  const perTick = Math.max(1, Math.round((ratePerSec * tickMs) / 1000 / connections));
  const burst = Buffer.concat(Array.from({ length: ratePerSec > 0 ? perTick : 256 }, () => frame));
  for (let c = 0; c < connections; c++) {
    const counter = new FrameCounter();
    counters.push(counter);
    const socket = await openRawWs(port, counter);
    if (ratePerSec > 0) {
      setInterval(() => socket.write(burst), tickMs);
    } else {
      let seen = 0;
      socket.write(burst);
      socket.on('data', () => {
        const fresh = counter.frames - seen;
        seen = counter.frames;
        if (fresh > 0) socket.write(fresh === 256 ? burst : Buffer.concat(Array.from({ length: fresh }, () => frame)));
      });
    }
  }
  const answered = (): number => counters.reduce((a, c) => a + c.frames, 0);
  let last = answered();
  setInterval(() => {
    const now = answered();
    process.send?.({ rejectsPerSec: now - last });
    last = now;
  }, 1000);
}
