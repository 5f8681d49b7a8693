import { z } from 'zod';

export const blacklistSchema = z.strictObject({
  /** Let hotkeys that hold no uid on the subnet query the miner. */
  allowUnregistered: z.boolean().default(false),
  requireValidatorPermit: z.boolean().default(true),
  /** Minimum stake (TAO or alpha) a caller must hold. */
  minStake: z.number().min(0).default(0),
  /** Always allowed (still verified), whatever the metagraph says. */
  allowHotkeys: z.array(z.string()).default([]),
  /** Always refused. */
  denyHotkeys: z.array(z.string()).default([]),
});

export const rateLimitSchema = z.strictObject({
  /** Per hotkey, charged only once its signature verified. */
  perHotkeyPerSec: z.number().positive().default(50),
  perHotkeyBurst: z.number().int().positive().default(100),
  /** Per IP: signature checks of requests from connections that have not proven the hotkey they claim. */
  perIpPerSec: z.number().positive().default(200),
  perIpBurst: z.number().int().positive().default(400),
  /** Bounds the number of tracked hotkeys and IPs. */
  maxTrackedKeys: z.number().int().positive().default(100_000),
});

export const nonceSchema = z.strictObject({
  /** Nonces further ahead of our clock than this are refused. */
  maxFutureMs: z.number().int().min(0).default(2_000),
  /** Allowed age of the first nonce seen for a hotkey+uuid, on top of the request timeout. */
  allowedDeltaMs: z.number().int().min(0).default(4_000),
  maxEntries: z.number().int().positive().default(200_000),
});

export const jsonBoundsSchema = z.strictObject({
  /** Deepest nesting of arrays/objects accepted in a body or frame; deeper: 400. */
  maxDepth: z.number().int().min(4).max(1_000).default(64),
  /** Most values (elements, members, containers) in one body or frame; more: 400. */
  maxElements: z.number().int().min(16).default(200_000),
});

export const verifyQueueSchema = z.strictObject({
  /** Signature checks handed to the verifier at once; the rest wait in two lanes. */
  maxInflight: z.number().int().positive().default(64),
  /** Waiting checks from connections that have not proven a signature; beyond: 503. */
  maxQueuedUnproven: z.number().int().positive().default(256),
  /** Waiting checks from connections that proved a validator's signature; beyond: 503. */
  maxQueuedProven: z.number().int().positive().default(2_048),
});

export const formNameSchema = z.enum(['legacy', 'btauth', 'epistula']);
const ALL_FORMS: Array<z.infer<typeof formNameSchema>> = ['legacy', 'btauth', 'epistula'];

/** A subnet's own route: `POST <path>` answered by `synapse`, for callers using one of `forms`. */
export const routeSchema = z.strictObject({
  path: z.string().regex(/^\/[A-Za-z0-9._~\-/]{0,255}$/, 'a path such as /v1/ocr (letters, digits, . _ ~ - /)'),
  synapse: z.string().min(1),
  forms: z.array(formNameSchema).min(1).default(ALL_FORMS),
});

export const btauthSchema = z.strictObject({
  /** Refuse requests without X-Bittensor-Receiver (a receiver other than this hotkey is always refused). */
  requireReceiver: z.boolean().default(true),
  /** A nonce older than this is stale. */
  maxAgeMs: z.number().int().positive().default(10_000),
  /** A nonce further ahead of our clock than this is refused. */
  maxFutureMs: z.number().int().min(0).default(2_000),
});

export const epistulaSchema = z.strictObject({
  maxAgeMs: z.number().int().positive().default(8_000),
  maxFutureMs: z.number().int().min(0).default(2_000),
});

export const replaySchema = z.strictObject({
  /** Seen btauth/1 (hotkey, nonce) and Epistula (hotkey, uuid) pairs kept at once; when full of live ones: 503. */
  maxEntries: z.number().int().positive().default(200_000),
});

export const axonSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(1).max(65535).default(8091),
  /** Address announced on chain (the chain refuses 127.0.0.1). */
  externalIp: z.string().optional(),
  externalPort: z.number().int().min(1).max(65535).optional(),
  maxPayloadBytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  maxHeaderBytes: z
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  maxConnections: z.number().int().positive().default(2_000),
  maxConnectionsPerIp: z.number().int().positive().default(64),
  maxInflightPerConnection: z.number().int().positive().default(256),
  /** Requests waiting for a worker; beyond it: 503. */
  queueLength: z.number().int().positive().default(1_024),
  /** Requests handled at once by the scheduler. */
  concurrency: z.number().int().positive().default(64),
  /** Caps the deadline a caller may ask for. */
  maxTimeoutMs: z.number().int().positive().default(60_000),
  defaultTimeoutMs: z.number().int().positive().default(12_000),
  headersTimeoutMs: z.number().int().positive().default(10_000),
  requestTimeoutMs: z.number().int().positive().default(30_000),
  keepAliveTimeoutMs: z.number().int().positive().default(65_000),
  wsPingIntervalMs: z.number().int().positive().default(30_000),
  /** Frames one WebSocket connection runs before the next connection's turn. */
  wsFramesPerTurn: z.number().int().positive().default(8),
  /** Event-loop time one pass over queued WebSocket frames may take before I/O is polled again. */
  wsPassBudgetMs: z.number().positive().default(1),
  /** Share of each pass kept for connections that have not yet sent a verified request. */
  wsUntrustedShare: z.number().min(0.05).max(1).default(0.25),
  /**
   * Threads for sr25519 work: verifying requests and signing WebSocket answers (0: all on the
   * event loop). At low rates jobs still run inline. Two measured 1.1-1.4x the WebSocket
   * throughput of one on 2 cores (bench/axon.ts).
   */
  verifyWorkers: z.number().int().min(0).default(2),
  /** Forms accepted at `POST /<SynapseName>`. */
  synapseRouteForms: z.array(formNameSchema).min(1).default(ALL_FORMS),
  /** Extra routes per subnet, e.g. [{"path": "/v1/ocr", "synapse": "OCRSynapse", "forms": ["btauth"]}]. */
  routes: z.array(routeSchema).default([]),
  btauth: btauthSchema.default(btauthSchema.parse({})),
  epistula: epistulaSchema.default(epistulaSchema.parse({})),
  replay: replaySchema.default(replaySchema.parse({})),
  json: jsonBoundsSchema.default(jsonBoundsSchema.parse({})),
  verifyQueue: verifyQueueSchema.default(verifyQueueSchema.parse({})),
  blacklist: blacklistSchema.default(blacklistSchema.parse({})),
  rateLimit: rateLimitSchema.default(rateLimitSchema.parse({})),
  nonce: nonceSchema.default(nonceSchema.parse({})),
});
