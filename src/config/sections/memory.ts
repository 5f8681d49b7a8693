import { z } from 'zod';

/**
 * Bounds on native memory the V8 heap never sees. sharp (libvips) is process-wide, so these
 * apply once per process, set by the daemon at start.
 */
export const memorySchema = z.strictObject({
  /** libvips operation cache in MiB; 0 turns it off (each image is decoded once, a cache only grows). */
  sharpCacheMemoryMb: z.number().int().min(0).max(65_536).default(0),
  /** Operations libvips keeps cached (with sharpCacheMemoryMb > 0). */
  sharpCacheItems: z.number().int().min(0).max(100_000).default(0),
  /** libvips threads per image operation; 0 = libvips's default (one per core), each with its own buffers. */
  sharpConcurrency: z.number().int().min(0).max(1_024).default(2),
});
