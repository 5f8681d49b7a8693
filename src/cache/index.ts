export { ResponseCache, type ResponseCacheModules } from './responseCache.js';
export type {
  CacheOutcome,
  CacheStats,
  CacheClearReport,
  CachePruneReport,
  ResponseCacheOptions,
  SynapseCachePolicy,
} from './cacheTypes.js';
export { CacheAdmin } from './cacheAdmin.js';
export type { CacheAdminOptions, CacheAdminStats } from './cacheAdmin.js';
export { cacheKey, canonicalJson, questionOf } from './cacheKey.js';
export type { KeyParts } from './cacheKey.js';
export { redactUrl } from './redisTier.js';
