import { NETWORK_ENDPOINTS } from './sections/network.js';
import type { MinerConfig } from './schema.js';

/** The endpoints to try, in order: an explicit list wins over the preset. */
export function resolveEndpoints(cfg: Pick<MinerConfig, 'network'>): string[] {
  const explicit = cfg.network.endpoints;
  return explicit.length > 0 ? [...explicit] : [...NETWORK_ENDPOINTS[cfg.network.preset]];
}
