import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { MinerError } from '../util/index.js';

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Names of a call's arguments in this runtime, or undefined when the runtime lacks the call. */
export function callArgNames(api: ApiPromise, pallet: string, call: string): string[] | undefined {
  const fn = api.tx[pallet]?.[call];
  return fn?.meta.args.map((a) => camel(a.name.toString()));
}

/**
 * Builds a call from arguments given by name, in the order this runtime's metadata lists them:
 * argument lists differ between runtimes (spec 103, 218 and mainnet). An argument the runtime
 * wants and the caller lacks is an error rather than a guess.
 */
export function callByName(api: ApiPromise, pallet: string, call: string, args: Record<string, unknown>): SubmittableExtrinsic<'promise'> {
  const fn = api.tx[pallet]?.[call];
  if (!fn) throw new MinerError('CHAIN_REJECTED', `runtime has no ${pallet}.${call}`, { details: { chainError: `${pallet}.${call}Missing` } });
  const values = fn.meta.args.map((a) => {
    const key = camel(a.name.toString());
    if (!(key in args)) {
      throw new MinerError('CHAIN_REJECTED', `${pallet}.${call} on this runtime needs argument ${key} (${a.type.toString()})`, {
        details: { chainError: `${pallet}.${call}ArgumentsChanged` },
      });
    }
    return args[key];
  });
  return fn(...values);
}
