import { z } from 'zod';

export const NETWORK_ENDPOINTS = {
  finney: ['wss://entrypoint-finney.opentensor.ai:443'],
  test: ['wss://test.finney.opentensor.ai:443'],
  local: ['ws://127.0.0.1:9944'],
} as const;

export const networkSchema = z.strictObject({
  /** Preset used when `endpoints` is empty. */
  preset: z.enum(['finney', 'test', 'local']).default('finney'),
  /** Explicit endpoints, tried in order on failover; overrides the preset. */
  endpoints: z.array(z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL')).default([]),
});

export const chainSchema = z.strictObject({
  /** Rebuild the connection when no new block arrives for this long; unset: watchdogBlocks of the chain's own block time. */
  watchdogMs: z.number().int().min(5_000).optional(),
  /** Without watchdogMs: rebuild after this many block times (read from the runtime) without a new block; at least 30 s. */
  watchdogBlocks: z.number().int().min(2).max(1_000).default(10),
  connectTimeoutMs: z.number().int().min(1_000).default(30_000),
  reconnectMinMs: z.number().int().min(100).default(1_000),
  reconnectMaxMs: z.number().int().min(1_000).default(60_000),
  /** Resync the metagraph every this many blocks (and at least once per tempo). */
  syncEveryBlocks: z.number().int().min(1).default(25),
  /** The subnet mechanism whose metagraph is read (0 on every runtime; others where the runtime has mechanisms). */
  mechanism: z.number().int().min(0).max(15).default(0),
  /** Announce the axon with serve_axon on start when the chain's info differs. */
  announceAxon: z.boolean().default(true),
});
