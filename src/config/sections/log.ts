import { z } from 'zod';

export const logSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  pretty: z.boolean().default(false),
});

export const shutdownSchema = z.strictObject({
  /** Time in-flight requests get to finish after SIGTERM. */
  drainMs: z.number().int().min(0).default(10_000),
});
