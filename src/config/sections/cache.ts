import { z } from 'zod';

export const synapseCacheSchema = z.strictObject({
  policy: z.enum(['shared', 'per-validator', 'off']).default('shared'),
  /** Concurrent identical requests share one computation (also with policy off). */
  dedupInFlight: z.boolean().default(true),
  ttlMs: z.number().int().positive().optional(),
});

export const cacheSchema = z.strictObject({
  enabled: z.boolean().default(true),
  synapses: z.record(z.string(), synapseCacheSchema).default({
    Dummy: synapseCacheSchema.parse({}),
    OCRSynapse: synapseCacheSchema.parse({}),
  }),
  /** Policy for synapses not listed above. */
  defaultPolicy: z.enum(['shared', 'per-validator', 'off']).default('off'),
  memory: z
    .strictObject({
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(256 * 1024 * 1024),
      maxEntries: z.number().int().positive().default(100_000),
      ttlMs: z.number().int().positive().default(600_000),
    })
    .default({ maxBytes: 256 * 1024 * 1024, maxEntries: 100_000, ttlMs: 600_000 }),
  disk: z
    .strictObject({
      enabled: z.boolean().default(false),
      dir: z.string().default('.cache/responses'),
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024 * 1024),
      ttlMs: z.number().int().positive().default(86_400_000),
    })
    .default({ enabled: false, dir: '.cache/responses', maxBytes: 1024 * 1024 * 1024, ttlMs: 86_400_000 }),
  redis: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Without a password: it comes from MINER_REDIS_PASSWORD. */
      url: z.string().default('redis://127.0.0.1:6379'),
      keyPrefix: z.string().default('subnet-miner:'),
      timeoutMs: z.number().int().positive().default(50),
      ttlMs: z.number().int().positive().default(600_000),
    })
    .default({ enabled: false, url: 'redis://127.0.0.1:6379', keyPrefix: 'subnet-miner:', timeoutMs: 50, ttlMs: 600_000 }),
});
