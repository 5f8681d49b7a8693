import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { MinerError, type Clock, type Logger, type Service } from '../util/index.js';
import { moduleLogger } from './moduleLogger.js';
import type { HealthStatus } from './healthVerdict.js';

/** What the node wiring reports for GET /health; every field is documented in docs/operations.md. */
export interface HealthReport {
  /** The axon is accepting and answering requests; decides 200 or 503 when `status` is absent. */
  serving: boolean;
  /** The wiring's verdict (healthVerdict); `unavailable` is 503, `ok` and `degraded` 200. */
  status?: HealthStatus;
  /** Why the miner is unavailable or degraded (HealthReason names); empty when ok. */
  reasons?: readonly string[];
  chainConnected: boolean;
  /** Age of the newest block seen, null before the first block. */
  lastBlockAgeSeconds: number | null;
  bestBlock?: number | null;
  registered: boolean;
  uid?: number | null;
  /** True when every configured model is loaded and warm, or the names of the loaded ones. */
  modelsLoaded: boolean | readonly string[];
  queueDepth: number;
  metagraphAgeSeconds?: number | null;
  alarms?: readonly string[];
  [extra: string]: unknown;
}

/** The body of GET /health: the wiring's report, normalised, plus what the server knows. */
export interface HealthResponse {
  status: HealthStatus;
  reasons: string[];
  serving: boolean;
  chainConnected: boolean;
  lastBlockAgeSeconds: number | null;
  bestBlock: number | null;
  registered: boolean;
  uid: number | null;
  modelsLoaded: boolean;
  models?: readonly string[];
  queueDepth: number;
  metagraphAgeSeconds: number | null;
  alarms: string[];
  uptimeSeconds: number;
  version: string | null;
  [extra: string]: unknown;
}

export interface AdminServerOpts {
  host?: string;
  port: number;
  version?: string;
}

export interface AdminServerModules {
  logger: Logger;
  /** Served at /metrics. */
  registry: Registry;
  health: () => HealthReport | Promise<HealthReport>;
  /** Threshold alarms now crossed, added to /health's `alarms`. */
  alarms?: () => readonly string[];
  clock?: Clock;
}

const secs = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10) / 10);

/** Builds the /health body from the wiring's report and the active alarms. */
export function toHealthResponse(h: HealthReport, extra: { uptimeSeconds: number; version: string | null; alarms: readonly string[] }): HealthResponse {
  const models = Array.isArray(h.modelsLoaded) ? (h.modelsLoaded as readonly string[]) : undefined;
  const status: HealthStatus = h.status ?? (h.serving ? 'ok' : 'unavailable');
  return {
    ...h,
    status,
    reasons: [...(h.reasons ?? (status === 'unavailable' ? ['starting'] : []))],
    serving: status !== 'unavailable',
    chainConnected: h.chainConnected,
    lastBlockAgeSeconds: secs(h.lastBlockAgeSeconds),
    bestBlock: h.bestBlock ?? null,
    registered: h.registered,
    uid: h.uid ?? null,
    modelsLoaded: models ? models.length > 0 : h.modelsLoaded === true,
    ...(models ? { models } : {}),
    queueDepth: h.queueDepth,
    metagraphAgeSeconds: secs(h.metagraphAgeSeconds),
    alarms: [...new Set([...(h.alarms ?? []), ...extra.alarms])].sort(),
    uptimeSeconds: Math.round(extra.uptimeSeconds),
    version: extra.version,
  };
}

/**
 * The admin listener: GET /metrics (Prometheus text) and GET /health (JSON, 200 while the
 * miner serves, also when degraded; 503 with the reasons otherwise). Bound to 127.0.0.1 by default; it reads no request body and answers
 * anything else with 404 (405 for other methods on known paths).
 */
export class AdminServer implements Service {
  readonly name = 'admin-server';
  private server: Server | undefined;
  private readonly log: Logger;
  private readonly startedAt: number;

  constructor(
    private readonly opts: AdminServerOpts,
    private readonly modules: AdminServerModules,
  ) {
    this.log = moduleLogger(modules.logger);
    this.startedAt = this.now();
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, maxHeaderSize: 16 * 1024 }, (req, res) => {
      void this.handle(req, res);
    });
    server.maxConnections = 64;
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void =>
        reject(new MinerError('INTERNAL', `admin server cannot listen on ${this.opts.host ?? '127.0.0.1'}:${this.opts.port}: ${err.message}`, { cause: err }));
      server.once('error', onError);
      server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err }, 'admin server error'));
    this.server = server;
    const a = this.address();
    this.log.info({ host: a?.address, port: a?.port }, 'admin server listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  address(): AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  private now(): number {
    return this.modules.clock?.now() ?? Date.now();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/metrics' || path === '/health') {
        if (req.method !== 'GET' && req.method !== 'HEAD')
          return send(res, 405, 'application/json', '{"message":"Method Not Allowed"}', { allow: 'GET, HEAD' });
        if (path === '/metrics') return send(res, 200, this.modules.registry.contentType, await this.modules.registry.metrics());
        return await this.health(res);
      }
      send(res, 404, 'application/json', '{"message":"Not Found"}');
    } catch (err) {
      const e = new MinerError('INTERNAL', 'admin request failed', { cause: err });
      this.log.error({ err, errorId: e.errorId, path }, 'admin request failed');
      send(res, 500, 'application/json', JSON.stringify({ message: `Internal Server Error #${e.errorId}` }));
    }
  }

  private async health(res: ServerResponse): Promise<void> {
    const inputs = await this.modules.health();
    const report = toHealthResponse(inputs, {
      uptimeSeconds: (this.now() - this.startedAt) / 1000,
      version: this.opts.version ?? null,
      alarms: this.modules.alarms?.() ?? [],
    });
    send(res, report.status === 'unavailable' ? 503 : 200, 'application/json', JSON.stringify(report, bigintSafe));
  }
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
