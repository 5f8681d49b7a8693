import { WsProvider } from '@polkadot/api';

/**
 * Entries kept by the provider's cache of at-block call results. One, not polkadot's 1,024: that
 * LRU (rpc-provider 16.5) never applies its 30 s TTL once a hit moves its tail to the head, and
 * then drifts past its capacity, so it holds the results of the last thousand-odd at-block calls
 * (whole-subnet runtime-API answers among them) in the V8 old space for the life of the process.
 * The metagraph keeps its own snapshot, so nothing here needs the cache. 0 does not turn it off
 * (the provider then sizes its LRU at zero, which evicts nothing); at 1 the bookkeeping is exact.
 */
export const PROVIDER_CALL_CACHE_ENTRIES = 1;

/** The WebSocket provider for one endpoint: no auto-reconnect (the client owns that), a bounded call cache. */
export function createProvider(endpoint: string, timeoutMs: number): WsProvider {
  return new WsProvider(endpoint, false, {}, timeoutMs, PROVIDER_CALL_CACHE_ENTRIES);
}

/** WebSocket error events are not Errors; keep their message for the log. */
export function socketError(e: unknown): Error {
  if (e instanceof Error) return e;
  const ev = e as { message?: unknown; error?: { message?: unknown }; type?: unknown } | undefined;
  const msg = ev?.message ?? ev?.error?.message ?? ev?.type ?? 'socket error';
  return new Error(String(msg));
}
