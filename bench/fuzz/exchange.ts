/**
 * One fuzz case on the wire: a raw TCP conversation (writes, pauses, half-close) and what came
 * back, read until the expected answers arrived, the server closed, or a bounded wait ran out.
 */
import { connect, type Socket } from 'node:net';
import { parseServerFrames } from './wsWire.js';

export type Step =
  | { write: Buffer | string }
  | { waitMs: number }
  /** Half-close: FIN after what was written so far. */
  | { end: true }
  /** Writes `data` in `chunk`-byte pieces every `everyMs` (a slow sender). */
  | { slow: Buffer; chunk: number; everyMs: number };

export interface Exchange {
  steps: Step[];
  /** After the last step: how long to wait for the server. */
  readMs: number;
  /** Answers (HTTP responses, or WS response frames / a close frame) that complete the case early. */
  answers: number;
  /** 'ws': the bytes after a 101 are WebSocket frames. */
  kind: 'http' | 'ws';
}

export type End = 'server-close' | 'reset' | 'timeout' | 'refused' | 'done' | 'error';

export interface Heard {
  /** HTTP statuses in order (for 'ws', the upgrade answer). */
  http: number[];
  headers: Array<Record<string, string>>;
  /** WS response frames' `status` fields (0 when a text frame was not a response object). */
  ws: number[];
  /** WS close code sent by the server (1005 for a close frame without a code). */
  wsClose: number | undefined;
  end: End;
  errorCode?: string;
  ms: number;
  bytes: number;
}

interface HttpParsed {
  statuses: number[];
  headers: Array<Record<string, string>>;
  /** Where the bytes after the last complete response start. */
  rest: number;
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function chunkedEnd(buf: Buffer, off: number): number {
  for (;;) {
    const eol = buf.indexOf('\r\n', off);
    if (eol < 0) return -1;
    const size = parseInt(buf.subarray(off, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return -1;
    off = eol + 2 + size + 2;
    if (off > buf.length) return -1;
    if (size === 0) return off;
  }
}

/** Complete HTTP responses at the start of `buf` (stops at a 101: what follows is WebSocket). */
export function parseHttpResponses(buf: Buffer): HttpParsed {
  const statuses: number[] = [];
  const headers: Array<Record<string, string>> = [];
  let off = 0;
  while (off < buf.length) {
    const end = buf.indexOf('\r\n\r\n', off);
    if (end < 0) break;
    const block = buf.subarray(off, end).toString('latin1');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(block);
    if (!m) break;
    const status = Number(m[1]);
    const h = parseHeaders(block);
    let next = end + 4;
    if (status !== 101 && status !== 204 && status !== 304) {
      if (h['transfer-encoding']?.includes('chunked')) {
        const e = chunkedEnd(buf, next);
        if (e < 0) break;
        next = e;
      } else if (h['content-length'] !== undefined) {
        next += Number(h['content-length']);
        if (next > buf.length) break;
      }
    }
    statuses.push(status);
    headers.push(h);
    off = next;
    if (status === 101) break;
  }
  return { statuses, headers, rest: off };
}

function wsStatus(text: string): number {
  try {
    const v = JSON.parse(text) as { status?: unknown };
    return typeof v.status === 'number' ? v.status : 0;
  } catch {
    return 0;
  }
}

export function interpret(kind: 'http' | 'ws', buf: Buffer): Omit<Heard, 'end' | 'ms' | 'errorCode'> {
  const p = parseHttpResponses(buf);
  const out: Omit<Heard, 'end' | 'ms' | 'errorCode'> = { http: p.statuses, headers: p.headers, ws: [], wsClose: undefined, bytes: buf.length };
  if (kind !== 'ws' || p.statuses.at(-1) !== 101) return out;
  for (const f of parseServerFrames(buf.subarray(p.rest))) {
    if (f.opcode === 1) out.ws.push(wsStatus(f.payload.toString('utf8')));
    if (f.opcode === 8) out.wsClose = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
  }
  return out;
}

function answered(kind: 'http' | 'ws', h: Omit<Heard, 'end' | 'ms' | 'errorCode'>): number {
  if (kind === 'http' || h.http.at(-1) !== 101) return h.http.length;
  return h.ws.length + (h.wsClose !== undefined ? 1e9 : 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function playSteps(socket: Socket, steps: Step[], finished: () => boolean): Promise<void> {
  for (const s of steps) {
    if (finished()) return;
    if ('write' in s) socket.write(s.write);
    else if ('waitMs' in s) await sleep(s.waitMs);
    else if ('end' in s) socket.end();
    else {
      for (let i = 0; i < s.slow.length && !finished(); i += s.chunk) {
        socket.write(s.slow.subarray(i, i + s.chunk));
        await sleep(s.everyMs);
      }
    }
  }
}

/** Runs one exchange against host:port; never rejects. */
export function runExchange(host: string, port: number, ex: Exchange): Promise<Heard> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    let stepsDone = false;
    let timer: NodeJS.Timeout | undefined;
    const socket = connect({ host, port, noDelay: true });
    const finish = (end: End, errorCode?: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const buf = Buffer.concat(chunks, size);
      const heard = interpret(ex.kind, buf);
      resolve({ ...heard, end, ms: performance.now() - t0, ...(errorCode ? { errorCode } : {}) });
    };
    socket.on('data', (c: Buffer) => {
      // Bounded: an answer is small; a server echoing megabytes back is itself a finding.
      if (size < 8 * 1024 * 1024) {
        chunks.push(c);
        size += c.length;
      }
      if (answered(ex.kind, interpret(ex.kind, Buffer.concat(chunks, size))) >= ex.answers) finish('done');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? 'ERR';
      finish(code === 'ECONNREFUSED' ? 'refused' : code === 'ECONNRESET' || code === 'EPIPE' ? 'reset' : 'error', code);
    });
    socket.on('close', () => finish('server-close'));
    socket.on('connect', () => {
      void playSteps(socket, ex.steps, () => finished).then(() => {
        stepsDone = true;
        if (!finished) timer = setTimeout(() => finish('timeout'), ex.readMs);
      });
    });
    // A hard bound whatever the steps say.
    setTimeout(() => finish(stepsDone ? 'timeout' : 'error', stepsDone ? undefined : 'CASE_TIME_BOUND'), 20_000).unref();
  });
}
