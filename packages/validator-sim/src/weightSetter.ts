import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsicFunction } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { submitExtrinsic, chainErrorOf } from '../../../src/chain/index.js';
import { MinerError, toMinerError } from '../../../src/util/index.js';

/** What the simulator needs from the chain subsystem: the live API of the connected chain. */
export interface ChainApiSource {
  /** The connected API; throws MinerError CHAIN_UNAVAILABLE while there is none. */
  api(): ApiPromise;
}

export const U16_MAX = 65535;

/**
 * Scores to the u16 weights the chain takes, scaled so the largest is 65535 (as the Python
 * SDK's convert_weights_and_uids_for_emit); zero and non-finite scores are left out.
 */
export function normalizeWeights(scores: ReadonlyMap<number, number>): { uids: number[]; weights: number[] } {
  const entries = [...scores.entries()].filter(([, s]) => Number.isFinite(s) && s > 0).sort((a, b) => a[0] - b[0]);
  const max = entries.reduce((m, [, s]) => Math.max(m, s), 0);
  const uids: number[] = [];
  const weights: number[] = [];
  for (const [uid, s] of entries) {
    const w = Math.round((s / max) * U16_MAX);
    if (w <= 0) continue;
    uids.push(uid);
    weights.push(w);
  }
  return { uids, weights };
}

export interface SubnetWeightParams {
  /** The subnet's WeightsVersionKey: set_weights needs version_key >= it. */
  versionKey: number;
  /** Blocks that must pass between two set_weights of one hotkey. */
  rateLimit: number;
  tempo: number;
  /** Block at which each uid last set weights (LastUpdate). */
  lastUpdate: number[];
}

function storageNumber(api: ApiPromise, item: string, netuid: number, fallback: number): Promise<number> {
  const q = api.query['subtensorModule']?.[item];
  if (!q) return Promise.resolve(fallback);
  return q(netuid).then((v) => Number((v as unknown as { toString(): string }).toString()));
}

export async function readWeightParams(api: ApiPromise, netuid: number): Promise<SubnetWeightParams> {
  const lastUpdateQ = api.query['subtensorModule']?.['lastUpdate'];
  const [versionKey, rateLimit, tempo, lastUpdate] = await Promise.all([
    storageNumber(api, 'weightsVersionKey', netuid, 0),
    storageNumber(api, 'weightsSetRateLimit', netuid, 0),
    storageNumber(api, 'tempo', netuid, 360),
    lastUpdateQ ? lastUpdateQ(netuid).then((v) => (v as unknown as { toJSON(): unknown }).toJSON() as number[]) : Promise.resolve([] as number[]),
  ]);
  return { versionKey, rateLimit, tempo, lastUpdate: lastUpdate.map(Number) };
}

export async function currentBlock(api: ApiPromise): Promise<number> {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

/** Argument names differ between runtimes; map ours onto the names the metadata declares. */
const ARG_ALIASES: Record<string, 'netuid' | 'dests' | 'weights' | 'versionKey'> = {
  netuid: 'netuid',
  dests: 'dests',
  uids: 'dests',
  weights: 'weights',
  values: 'weights',
  version_key: 'versionKey',
  versionKey: 'versionKey',
  version: 'versionKey',
};

export function setWeightsCall(api: ApiPromise, args: { netuid: number; dests: number[]; weights: number[]; versionKey: number }) {
  const fn: SubmittableExtrinsicFunction<'promise'> | undefined = api.tx['subtensorModule']?.['setWeights'];
  if (!fn) throw new MinerError('CHAIN_REJECTED', 'runtime has no subtensorModule.set_weights call');
  const values = fn.meta.args.map((a) => {
    const name = a.name.toString();
    const key = ARG_ALIASES[name];
    if (!key) throw new MinerError('CHAIN_REJECTED', `set_weights wants an argument we do not know: ${name}`);
    return args[key];
  });
  return fn(...values);
}

export interface SetWeightsResult {
  readonly ok: boolean;
  readonly block: number;
  readonly uids: number[];
  readonly weights: number[];
  readonly versionKey: number;
  readonly blockHash?: string;
  readonly chainError?: string;
  readonly code?: string;
  readonly message?: string;
}

export async function submitWeights(
  api: ApiPromise,
  pair: KeyringPair,
  a: { netuid: number; uids: number[]; weights: number[]; versionKey: number; block: number; timeoutMs: number; signal?: AbortSignal },
): Promise<SetWeightsResult> {
  const base = { block: a.block, uids: a.uids, weights: a.weights, versionKey: a.versionKey };
  try {
    const tx = setWeightsCall(api, { netuid: a.netuid, dests: a.uids, weights: a.weights, versionKey: a.versionKey });
    const inc = await submitExtrinsic(api, tx, pair, { timeoutMs: a.timeoutMs, ...(a.signal ? { signal: a.signal } : {}) });
    return { ...base, ok: true, blockHash: inc.blockHash };
  } catch (err) {
    const e = toMinerError(err);
    const chainError = chainErrorOf(e);
    return { ...base, ok: false, code: e.code, message: e.message, ...(chainError ? { chainError } : {}) };
  }
}
