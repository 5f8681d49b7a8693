import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import { MinerError } from '../util/index.js';

export interface SubmitOpts {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Inclusion {
  blockHash: string;
  txHash: string;
  events: EventRecord[];
}

/** `section.Name` of a dispatch error, as the chain's metadata names it (e.g. `subtensorModule.ServingRateLimitExceeded`). */
export function dispatchErrorName(api: ApiPromise, err: DispatchError): string {
  if (err.isModule) {
    try {
      const meta = api.registry.findMetaError(err.asModule);
      return `${meta.section}.${meta.name}`;
    } catch {
      return `module.${err.asModule.index.toString()}:${err.asModule.error.toHex()}`;
    }
  }
  if (err.isToken) return `token.${err.asToken.type}`;
  if (err.isArithmetic) return `arithmetic.${err.asArithmetic.type}`;
  return err.type;
}

/** The first failure among a block's events for one extrinsic: ExtrinsicFailed, or a sudo call whose inner call failed. */
export function failureOf(api: ApiPromise, events: readonly EventRecord[]): string | null {
  for (const { event } of events) {
    if (api.events.system?.ExtrinsicFailed?.is(event)) {
      return dispatchErrorName(api, event.data[0] as DispatchError);
    }
    if (event.section === 'sudo' && (event.method === 'Sudid' || event.method === 'SudoAsDone')) {
      const res = event.data[0] as unknown as { isErr: boolean; asErr: DispatchError };
      if (res.isErr) return dispatchErrorName(api, res.asErr);
    }
  }
  return null;
}

export function rejected(chainError: string, message?: string): MinerError {
  return new MinerError('CHAIN_REJECTED', message ?? `chain rejected the call: ${chainError}`, { details: { chainError } });
}

/** The chain's error name carried by a CHAIN_REJECTED error, if any. */
export function chainErrorOf(err: unknown): string | undefined {
  return err instanceof MinerError && err.is('CHAIN_REJECTED') ? err.details?.chainError : undefined;
}

function poolRejection(err: unknown): MinerError {
  const msg = err instanceof Error ? err.message : String(err);
  // The pool's own refusals (1010 Invalid Transaction, 1012 Priority is too low, ...) are still the chain saying no.
  const name = /Invalid Transaction|Custom error|Priority|Stale|BadProof|Payment/i.test(msg) ? `pool.${msg.replace(/\s+/g, ' ').slice(0, 120)}` : null;
  if (name) return rejected(name, `transaction pool refused the call: ${msg}`);
  return new MinerError('CHAIN_UNAVAILABLE', `could not submit the transaction: ${msg}`, { cause: err });
}

/**
 * Signs, submits and waits until the transaction is in a block. A dispatch failure becomes
 * MinerError CHAIN_REJECTED whose details.chainError is the chain's `section.Name`; no inclusion
 * within timeoutMs becomes CHAIN_UNAVAILABLE. The subscription is always released.
 */
export function submitExtrinsic(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, pair: KeyringPair, opts: SubmitOpts): Promise<Inclusion> {
  return new Promise<Inclusion>((resolve, reject) => {
    let unsub: (() => void) | undefined;
    let done = false;
    const finish = (err: MinerError | null, value?: Inclusion): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      unsub?.();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => finish(new MinerError('CHAIN_UNAVAILABLE', `transaction not included within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const onAbort = (): void => finish(new MinerError('SHUTTING_DOWN', 'transaction wait aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    tx.signAndSend(pair, { nonce: -1 }, (result) => {
      const { status, dispatchError, events } = result;
      if (status.isInBlock || status.isFinalized) {
        const failure = dispatchError ? dispatchErrorName(api, dispatchError) : failureOf(api, events);
        if (failure) finish(rejected(failure));
        else finish(null, { blockHash: (status.isInBlock ? status.asInBlock : status.asFinalized).toHex(), txHash: tx.hash.toHex(), events });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(rejected(`pool.${status.type}`, `transaction ${status.type.toLowerCase()} in the pool`));
      }
    })
      .then((u) => {
        if (done) u();
        else unsub = u;
      })
      .catch((err: unknown) => finish(poolRejection(err)));
  });
}
