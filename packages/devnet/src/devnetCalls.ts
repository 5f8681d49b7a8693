import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic, SubmittableExtrinsicFunction } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import { failureOf } from '../../../src/chain/index.js';

export type Tx = SubmittableExtrinsic<'promise'>;

/** Pallets that hold subtensor's admin and user calls, in the order they are searched. */
const CALL_PALLETS = ['adminUtils', 'subtensorModule'] as const;

export function hasCall(api: ApiPromise, name: string): boolean {
  return CALL_PALLETS.some((p) => api.tx[p]?.[name] !== undefined);
}

/**
 * Builds a call by argument name, so one bootstrap serves runtimes whose argument lists differ
 * (e.g. add_stake gained `netuid`); an argument the runtime wants but the caller lacks is an error.
 */
export function buildCall(api: ApiPromise, name: string, args: Record<string, unknown>): Tx {
  let fn: SubmittableExtrinsicFunction<'promise'> | undefined;
  for (const p of CALL_PALLETS) fn ??= api.tx[p]?.[name];
  if (!fn) throw new Error(`runtime has no call ${name}`);
  const values = fn.meta.args.map((a) => {
    const key = a.name.toString().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (!(key in args)) throw new Error(`call ${name} needs argument ${key} (${a.type.toString()})`);
    return args[key];
  });
  return fn(...values);
}

export function sudo(api: ApiPromise, call: Tx): Tx {
  return api.tx['sudo']!['sudo']!(call);
}

export interface SignedTx {
  signer: KeyringPair;
  tx: Tx;
}

/** Per-extrinsic outcome of one block: the failure name, or null. */
export interface TxOutcome {
  hash: string;
  failure: string | null;
}

/** Signs the transactions with consecutive nonces per signer and puts them in the pool. */
export async function submitAll(api: ApiPromise, txs: readonly SignedTx[]): Promise<string[]> {
  const nonces = new Map<string, number>();
  const hashes: string[] = [];
  for (const { signer, tx } of txs) {
    let nonce = nonces.get(signer.address);
    if (nonce === undefined) nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
    nonces.set(signer.address, nonce + 1);
    const signed = await tx.signAsync(signer, { nonce, era: 0 });
    hashes.push((await api.rpc.author.submitExtrinsic(signed)).toHex());
  }
  return hashes;
}

/** Reads the outcome of each given extrinsic from the events of the block that holds it. */
export async function outcomesIn(api: ApiPromise, blockHash: `0x${string}`, hashes: readonly string[]): Promise<TxOutcome[]> {
  const [block, events] = await Promise.all([
    api.rpc.chain.getBlock(blockHash),
    api.query.system!['events']!.at(blockHash) as unknown as Promise<EventRecord[]>,
  ]);
  const inBlock: string[] = block.block.extrinsics.map((x) => x.hash.toHex());
  return hashes.map((hash) => {
    const idx = inBlock.indexOf(hash);
    if (idx < 0) return { hash, failure: 'devnet.NotIncluded' };
    const mine = events.filter((e) => e.phase.isApplyExtrinsic && e.phase.asApplyExtrinsic.toNumber() === idx);
    return { hash, failure: failureOf(api, mine) };
  });
}
