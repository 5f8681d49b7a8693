import { z } from 'zod';

export const thresholdsSchema = z.strictObject({
  gpuTempC: z.number().default(80),
  memoryPercent: z.number().default(85),
  diskPercent: z.number().default(80),
  errorRatePercent: z.number().default(1),
  p95LatencyMs: z.number().positive().default(2_000),
  eventLoopLagMs: z.number().positive().default(200),
});

export const monitorSchema = z.strictObject({
  admin: z.strictObject({
    enabled: z.boolean().default(true),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9100),
  }).default({ enabled: true, host: '127.0.0.1', port: 9100 }),
  /** node-cron expressions (with seconds). */
  standingCron: z.string().default('0 */5 * * * *'),
  servingCron: z.string().default('*/60 * * * * *'),
  healthCron: z.string().default('*/30 * * * * *'),
  diskPath: z.string().default('/'),
  thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
});
