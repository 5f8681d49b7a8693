import { WebSocket } from 'ws';
import { decodeAddress } from '@polkadot/util-crypto';
import { parseSignature, sha3Hex, utf8, verifyAnyKey, type WsResponse } from '../wire/index.js';

interface Waiter {
  resolve: (r: WsResponse) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** One client WebSocket to an axon, matching responses to requests by id. */
export class WsChannel {
  private readonly ws: WebSocket;
  private readonly open: Promise<void>;
  private readonly waiters = new Map<string | null, Waiter[]>();
  closed = false;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    this.open = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', (e) => reject(codedError(e.message, 'ECONNREFUSED')));
    });
    this.open.catch(() => {});
    this.ws.on('message', (data) => this.onMessage(data.toString()));
    this.ws.on('close', () => this.failAll('connection closed'));
    this.ws.on('error', () => {});
  }

  private onMessage(text: string): void {
    let resp: WsResponse;
    try {
      resp = JSON.parse(text) as WsResponse;
    } catch {
      return;
    }
    const list = this.waiters.get(resp.id ?? null);
    const w = list?.shift();
    if (!w) return;
    if (list!.length === 0) this.waiters.delete(resp.id ?? null);
    clearTimeout(w.timer);
    w.resolve(resp);
  }

  private failAll(reason: string): void {
    this.closed = true;
    for (const list of this.waiters.values()) {
      for (const w of list) {
        clearTimeout(w.timer);
        w.reject(codedError(reason, 'ECONNRESET'));
      }
    }
    this.waiters.clear();
  }

  async send(text: string, id: string | null, timeoutMs: number): Promise<WsResponse> {
    await this.open;
    if (this.closed) throw codedError('connection closed', 'ECONNRESET');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(id);
        const i = list?.indexOf(w) ?? -1;
        if (i >= 0) list!.splice(i, 1);
        reject(codedError('timeout', 'ETIMEDOUT'));
      }, timeoutMs);
      const w: Waiter = { resolve, reject, timer };
      const list = this.waiters.get(id);
      if (list) list.push(w);
      else this.waiters.set(id, [w]);
      this.ws.send(text);
    });
  }

  close(): void {
    this.closed = true;
    this.ws.close();
  }

  /** Checks the axon's signature over `{nonce}.{axon}.{dendrite}.{uuid}.{sha3(body or "")}`. */
  static verifyResponse(resp: WsResponse, axonHotkey: string, dendriteHotkey: string): boolean {
    const a = resp.axon;
    if (!a || a.hotkey !== axonHotkey || typeof a.signature !== 'string') return false;
    const sig = parseSignature(a.signature);
    if (!sig) return false;
    let pub: Uint8Array;
    try {
      pub = decodeAddress(axonHotkey);
    } catch {
      return false;
    }
    const msg = `${a.nonce}.${axonHotkey}.${dendriteHotkey}.${a.uuid}.${sha3Hex(resp.body ?? '')}`;
    return verifyAnyKey(pub, utf8(msg), sig);
  }
}
