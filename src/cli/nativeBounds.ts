import sharp from 'sharp';
import type { MemoryConfig } from '../config/index.js';

/**
 * sharp (libvips) keeps a process-wide operation cache and a thread pool whose buffers stay
 * resident; both are process state, so the CLI sets them once from `memory.*` before anything
 * decodes an image. Returns what was applied, for the start line.
 */
export function applyNativeBounds(cfg: MemoryConfig): Record<string, unknown> {
  if (cfg.sharpCacheMemoryMb === 0) sharp.cache(false);
  else sharp.cache({ memory: cfg.sharpCacheMemoryMb, items: cfg.sharpCacheItems, files: 0 });
  if (cfg.sharpConcurrency > 0) sharp.concurrency(cfg.sharpConcurrency);
  return { sharpCache: sharp.cache(), sharpConcurrency: sharp.concurrency(), mallocArenaMax: process.env['MALLOC_ARENA_MAX'] ?? null };
}
