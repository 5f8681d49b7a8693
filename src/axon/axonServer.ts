import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { WebSocketServer } from 'ws';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { AxonConfig } from '../config/index.js';
import type { MetagraphSource } from '../chain/index.js';
import { MinerError, type CoreModules, type Logger, type RequestObserver, type Service, type TimerHandle } from '../util/index.js';
import type { SynapseExecutor, SynapseRegistry } from '../synapse/index.js';
import type { AxonMetrics } from '../metrics/index.js';
import { RequestPipeline } from './requestPipeline.js';
import { HttpTransport } from './httpTransport.js';
import { RouteTable } from './routeTable.js';
import type { FormContext } from './forms/httpForm.js';
import { WsConnection } from './wsTransport.js';
import { cryptoReady, makeSigner, secretOf } from '../wire/index.js';
import { WsFrameScheduler } from './wsFrameScheduler.js';
import { createAxonCrypto, type AxonCrypto } from './verifierPool.js';
import type { SigningKey } from './cryptoWorkerPool.js';

export type AxonServerOpts = AxonConfig & {
  /** Time stop() gives in-flight requests (the daemon passes shutdown.drainMs). */
  drainMs?: number;
};

export type AxonServerModules = CoreModules & {
  pair: KeyringPair;
  metagraph: MetagraphSource;
  executor: SynapseExecutor;
  synapses: SynapseRegistry;
  observer: RequestObserver;
  /** The axon's part of the miner's metrics; null runs without. */
  metrics: AxonMetrics | null;
};

/** The miner's one port: Bittensor HTTP (`POST /<Synapse>`) and WebSocket (`/ws`). */
export class AxonServer implements Service {
  readonly name = 'axon';
  private readonly log: Logger;
  private readonly metrics: AxonMetrics | null;
  private readonly pipeline: RequestPipeline;
  private readonly http: HttpTransport;
  private readonly stopController = new AbortController();
  private readonly inlineSign: (msg: Uint8Array) => Uint8Array;
  private readonly signingKey: SigningKey | null;
  /** Inline until start() brings up the worker threads. */
  private crypto: AxonCrypto;
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<Socket>();
  /** Open sockets per IP, oldest first. */
  private readonly perIp = new Map<string, Set<Socket>>();
  private readonly wsBySocket = new WeakMap<Socket, WsConnection>();
  private readonly refused = new WeakSet<Socket>();
  private readonly wsConns = new Set<WsConnection>();
  private timers: TimerHandle[] = [];
  private draining = false;
  private inflight = 0;
  private idle: Array<() => void> = [];
  private lastNonce = 0n;
  private stopped: Promise<void> | null = null;
  readonly axonUuid = randomUUID();

  constructor(
    private readonly opts: AxonServerOpts,
    private readonly m: AxonServerModules,
  ) {
    this.log = m.logger;
    const secret = secretOf(m.pair);
    this.inlineSign = makeSigner(m.pair, secret);
    this.signingKey = secret && m.pair.type === 'sr25519' ? { publicKey: m.pair.publicKey, secret } : null;
    this.crypto = createAxonCrypto(0, null, this.inlineSign, this.log);
    // Every in-flight request listens for shutdown; their number is bounded by the queue, not by 10.
    setMaxListeners(0, this.stopController.signal);
    this.metrics = m.metrics;
    this.pipeline = this.buildPipeline();
    const common = this.transportCommon();
    this.http = new HttpTransport({ ...common, forms: this.formContext(), routes: new RouteTable(m.synapses, opts.synapseRouteForms, opts.routes) });
    this.wsDeps = {
      ...common,
      maxInflightPerConnection: opts.maxInflightPerConnection,
      sign: (msg) => this.crypto.sign(msg),
      scheduler: new WsFrameScheduler({ framesPerTurn: opts.wsFramesPerTurn, passBudgetMs: opts.wsPassBudgetMs, untrustedShare: opts.wsUntrustedShare }, () =>
        m.clock.monotonicMs(),
      ),
    };
  }

  private buildPipeline(): RequestPipeline {
    const m = this.m;
    return new RequestPipeline(this.opts, {
      logger: this.log,
      clock: m.clock,
      metagraph: m.metagraph,
      executor: m.executor,
      metrics: this.metrics,
      observer: m.observer,
      axonHotkey: m.pair.address,
      shutdownSignal: this.stopController.signal,
      verifier: { verify: (p, msg, s) => this.crypto.verifier.verify(p, msg, s), close: async () => {} },
      verifyEd25519: (p, msg, s) => this.crypto.verifyEd25519(p, msg, s),
    });
  }

  /** What the HTTP and WebSocket transports share. */
  private transportCommon() {
    return {
      pipeline: this.pipeline,
      synapses: this.m.synapses,
      clock: this.m.clock,
      axonHotkey: this.m.pair.address,
      axonUuid: this.axonUuid,
      maxPayloadBytes: this.opts.maxPayloadBytes,
      json: this.opts.json,
      isDraining: () => this.draining,
      nextNonce: () => this.nextNonce(),
      track: <T>(p: Promise<T>) => this.track(p),
    };
  }

  /** What the signed request forms (btauth, Epistula, legacy) need to read a request. */
  private formContext(): FormContext {
    return {
      clock: this.m.clock,
      axonHotkey: this.m.pair.address,
      axonUuid: this.axonUuid,
      json: this.opts.json,
      replays: this.pipeline.replays,
      btauth: this.opts.btauth,
      epistula: this.opts.epistula,
      nextNonce: () => this.nextNonce(),
      timeoutMs: (sec) => this.pipeline.timeoutMs(sec),
      legacyCredentials: (f, c) => this.pipeline.legacyCredentials(f, c),
    };
  }

  private readonly wsDeps: ConstructorParameters<typeof WsConnection>[2];

  /** The bound address (port 0 in config picks a free one). */
  address(): { host: string; port: number } {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new MinerError('NOT_READY', 'axon is not listening');
    return { host: a.address, port: a.port };
  }

  async start(): Promise<void> {
    if (this.server) return;
    const o = this.opts;
    await cryptoReady();
    this.crypto = createAxonCrypto(o.verifyWorkers, this.signingKey, this.inlineSign, this.log);
    const server = createServer(
      {
        maxHeaderSize: o.maxHeaderBytes,
        headersTimeout: Math.min(o.headersTimeoutMs, o.requestTimeoutMs),
        requestTimeout: o.requestTimeoutMs,
        keepAliveTimeout: o.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.min(1_000, o.headersTimeoutMs),
      },
      (req, res) => this.onRequest(req, res),
    );
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 2 * o.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
    server.on('connection', (s: Socket) => this.onConnection(s));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket as Socket, head));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const code = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      if (!socket.writable) return void socket.destroy();
      socket.end(`HTTP/1.1 ${code}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      // Read and drop what the peer still sends, so the close is not a reset that eats the answer.
      socket.resume();
      setTimeout(() => socket.destroy(), 2_000).unref();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.timers.push(this.m.clock.setInterval(() => this.pingAll(), o.wsPingIntervalMs, { unref: true }));
    this.timers.push(this.m.clock.setInterval(() => this.pipeline.sweep(), 10_000, { unref: true }));
    this.log.info({ ...this.address(), hotkey: this.m.pair.address, verifyWorkers: o.verifyWorkers }, 'axon listening');
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.refused.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    this.http.handle(req, res);
  }

  private onConnection(socket: Socket): void {
    const ip = socket.remoteAddress ?? '';
    let mine = this.perIp.get(ip);
    if (mine && mine.size >= this.opts.maxConnectionsPerIp) this.evictUnproven(mine);
    if (this.draining || this.sockets.size >= this.opts.maxConnections || (mine?.size ?? 0) >= this.opts.maxConnectionsPerIp) {
      this.refused.add(socket);
      this.metrics?.rejected.inc({ reason: 'connection_limit' });
      const body = JSON.stringify({ message: 'Service Unavailable: too many connections' });
      socket.on('error', () => {});
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    this.sockets.add(socket);
    if (!mine) this.perIp.set(ip, (mine = new Set()));
    mine.add(socket);
    this.metrics?.connections.inc();
    socket.once('close', () => {
      this.sockets.delete(socket);
      mine.delete(socket);
      if (mine.size === 0 && this.perIp.get(ip) === mine) this.perIp.delete(ip);
      this.metrics?.connections.dec();
    });
  }

  /**
   * An IP at its connection cap may be a NAT or a load balancer shared by a validator and a
   * flooder: the oldest connection that never proved a signature makes room, so proven
   * validator connections are never the ones refused or dropped.
   */
  private evictUnproven(sockets: Set<Socket>): void {
    for (const s of sockets) {
      if (this.http.isProven(s) || this.wsBySocket.get(s)?.trusted) continue;
      this.metrics?.rejected.inc({ reason: 'connection_evicted' });
      sockets.delete(s);
      s.destroy();
      return;
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => {});
    const path = (req.url ?? '').split('?')[0];
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (this.refused.has(socket)) return void socket.destroy();
    if (path !== '/ws') return refuse('404 Not Found');
    if (this.draining || !this.wss) return refuse('503 Service Unavailable');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new WsConnection(ws, socket.remoteAddress ?? '', this.wsDeps);
      this.wsConns.add(conn);
      this.wsBySocket.set(socket, conn);
      ws.once('close', () => this.wsConns.delete(conn));
    });
  }

  private pingAll(): void {
    for (const c of this.wsConns) c.heartbeat();
  }

  private nextNonce(): bigint {
    const now = this.m.clock.nowNs();
    this.lastNonce = now > this.lastNonce ? now : this.lastNonce + 1n;
    return this.lastNonce;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight++;
    return p.finally(() => {
      if (--this.inflight === 0) for (const w of this.idle.splice(0)) w();
    });
  }

  /** Listening and not draining. */
  isServing(): boolean {
    return this.server?.listening === true && !this.draining;
  }

  /** Requests inside the pipeline right now (both transports). */
  inflightCount(): number {
    return this.inflight;
  }

  /**
   * Stops accepting, gives in-flight requests up to `ms`, answers what is left with 503
   * SHUTTING_DOWN, then closes every socket. Idempotent.
   */
  drain(ms: number): Promise<void> {
    this.stopped ??= this.doDrain(ms);
    return this.stopped;
  }

  stop(): Promise<void> {
    return this.drain(this.opts.drainMs ?? 5_000);
  }

  private async doDrain(ms: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.draining = true;
    server.close();
    server.closeIdleConnections();
    if (this.inflight > 0) {
      let timer: TimerHandle | undefined;
      await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise<void>((r) => (timer = this.m.clock.setTimeout(r, ms)))]);
      this.m.clock.clearTimer(timer);
    }
    this.stopController.abort();
    await new Promise((r) => setTimeout(r, 20));
    for (const c of this.wsConns) c.close(1001, 'server shutting down');
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    for (const t of this.timers) this.m.clock.clearTimer(t);
    this.timers = [];
    this.wss?.close();
    await this.crypto.close();
    this.log.info({}, 'axon stopped');
  }
}
