import type { ApiPromise } from '@polkadot/api';
import type { Logger } from 'pino';
import { MinerError, systemClock } from '../util/index.js';
import { ChainClient } from './chainClient.js';

export interface OneShotOpts {
  endpoints: readonly string[];
  connectTimeoutMs: number;
}

/**
 * Connects for one command (status, register), runs fn with the API, and always closes the
 * socket; an unreachable chain is MinerError CHAIN_UNAVAILABLE naming the endpoints.
 */
export async function withChainApi<T>(opts: OneShotOpts, logger: Logger, fn: (api: ApiPromise, endpoint: string) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const client = new ChainClient(
    { endpoints: opts.endpoints, watchdogMs: 10 * 60_000, connectTimeoutMs: opts.connectTimeoutMs, reconnectMinMs: 500, reconnectMaxMs: 5_000 },
    { logger, metrics: null, clock: systemClock(), signal: abort.signal },
  );
  try {
    await client.start();
    if (!client.state().connected) {
      throw new MinerError(
        'CHAIN_UNAVAILABLE',
        `cannot reach the chain at ${opts.endpoints.join(', ')} within ${opts.connectTimeoutMs} ms; fix: check network.endpoints / --endpoint and that the node is up`,
      );
    }
    return await fn(client.api(), client.state().endpoint ?? opts.endpoints[0]!);
  } finally {
    abort.abort();
    await client.stop();
  }
}
