import { z } from 'zod';

export const thresholdsSchema = z.strictObject({
  gpuTempC: z.number().default(80),
  memoryPercent: z.number().default(85),
  diskPercent: z.number().default(80),
  /** Requests the miner failed (5xx and 408) over the serving window. */
  errorRatePercent: z.number().default(1),
  p95LatencyMs: z.number().positive().default(2_000),
  eventLoopLagMs: z.number().positive().default(200),
  /** An alarm recovers only below threshold minus this percent of it, so a hovering value does not flap. */
  hysteresisPercent: z.number().min(0).max(50).default(5),
  /** Error-rate and p95 alarms wait for this many requests in the serving window. */
  minRequests: z.number().int().min(1).default(20),
});

export const monitorSchema = z.strictObject({
  admin: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(9100),
    })
    .default({ enabled: true, host: '127.0.0.1', port: 9100 }),
  /** node-cron expressions (with seconds). */
  standingCron: z.string().default('0 */5 * * * *'),
  servingCron: z.string().default('*/60 * * * * *'),
  /** Hardware sampling and threshold checks. */
  healthCron: z.string().default('*/30 * * * * *'),
  /** The info-level hardware report line. */
  hardwareReportCron: z.string().default('30 */5 * * * *'),
  /** Rolling window the serving report and alarms cover. */
  servingWindowMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
  /** Timeout of one nvidia-smi / rocm-smi call. */
  gpuCommandTimeoutMs: z.number().int().min(100).default(5_000),
  diskPath: z.string().default('/'),
  /**
   * /health turns 503 (metagraph_stale) when the snapshot the axon admits callers by is older;
   * younger but with the chain down it says "degraded".
   */
  healthMaxMetagraphAgeMs: z.number().int().min(10_000).default(1_800_000),
  thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
});
