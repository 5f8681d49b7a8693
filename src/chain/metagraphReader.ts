import type { ApiPromise } from '@polkadot/api';
import type { NeuronInfo } from './metagraphTypes.js';
import { FrozenMetagraph, type ImmunityInfo } from './metagraphSnapshot.js';
import { withStakes } from './metagraphColumns.js';
import { big, bool, num } from './codecValues.js';
import { ReadPlanCache, type ReadPlan } from './readPlan.js';
import { readFromStorage, stakeQuery, subtensorQuery, type At, type Query } from './storageReader.js';
import { readFromMetagraphApi, readFromNeuronsLite } from './runtimeApiReader.js';
import { MinerError, type Clock } from '../util/index.js';

export { decodeNeuronsLite, neuronFromLite, stripLengthPrefixes } from './runtimeApiReader.js';
export { axonFrom } from './metagraphColumns.js';

const RAO_PER_UNIT = 1_000_000_000n;

export interface ReadOpts {
  /** Read at this block (default: the best block). */
  blockHash?: string;
  /** The subnet's mechanism (default 0); others need a runtime with mechanisms. */
  mechanism?: number;
  /** Plans chosen so far (one per runtime version); a fresh cache chooses (and logs) anew. */
  plans?: ReadPlanCache;
  /** A plan to follow instead of choosing one (e.g. to measure the storage path where a runtime API exists). */
  plan?: ReadPlan;
}

interface Read {
  neurons: NeuronInfo[];
  tempo?: number | undefined;
}

async function readNeurons(atApi: At, api: ApiPromise, plan: ReadPlan, netuid: number, mechanism: number): Promise<Read> {
  if (plan.path === 'selective-metagraph' || plan.path === 'metagraph') {
    const m = await readFromMetagraphApi(atApi, plan, netuid, mechanism);
    return { neurons: m.neurons, tempo: m.tempo };
  }
  if (plan.path === 'neurons-lite') {
    const neurons = await readFromNeuronsLite(atApi, api, plan, netuid, mechanism);
    // NeuronInfoLite's stake list is not the subnet's alpha; on dTAO runtimes the alpha map is.
    if (!plan.alpha) return { neurons };
    const stakes = await stakeQuery(
      subtensorQuery(atApi),
      plan,
      netuid,
      neurons.map((n) => n.hotkey),
    );
    return { neurons: withStakes(neurons, stakes) };
  }
  return { neurons: await readFromStorage(atApi, plan, netuid, mechanism) };
}

/** TAO (in rao) that one alpha of the subnet is worth now, or null where nothing prices it. */
export async function readAlphaPrice(atApi: At, plan: ReadPlan, netuid: number): Promise<bigint | null> {
  if (!plan.alpha) return null;
  if (netuid === 0) return RAO_PER_UNIT;
  if (plan.price === 'swap-api') {
    const fn = (atApi.call as unknown as Record<string, Record<string, ((n: number) => Promise<unknown>) | undefined> | undefined>)['swapRuntimeApi']?.[
      'currentAlphaPrice'
    ];
    return fn ? big(await fn(netuid)) : null;
  }
  if (plan.price === 'pool-reserves') {
    const q = subtensorQuery(atApi);
    const [tao, alphaIn] = await Promise.all([q['subnetTAO']!(netuid), q['subnetAlphaIn']!(netuid)]);
    const a = big(alphaIn);
    return a > 0n ? (big(tao) * RAO_PER_UNIT) / a : null;
  }
  return null;
}

async function subnetTerms(q: Query, netuid: number): Promise<{ added: boolean; tempo: number }> {
  const [added, tempo] = await Promise.all([
    q['networksAdded'] ? q['networksAdded'](netuid).then(bool) : Promise.resolve(true),
    q['tempo'] ? q['tempo'](netuid).then(num) : Promise.resolve(0),
  ]);
  return { added, tempo };
}

/** Reads a whole-subnet snapshot at one block (the best one unless opts.blockHash), the way the runtime offers it best. */
export async function readMetagraph(api: ApiPromise, netuid: number, clock: Clock, opts: ReadOpts = {}): Promise<FrozenMetagraph> {
  const header = opts.blockHash ? await api.rpc.chain.getHeader(opts.blockHash) : await api.rpc.chain.getHeader();
  const hash = header.hash.toHex();
  const atApi = await api.at(hash);
  const q = subtensorQuery(atApi);
  const plan = opts.plan ?? (opts.plans ?? new ReadPlanCache()).planFor(api);
  const mechanism = opts.mechanism ?? 0;
  const [terms, read, alphaPriceRao] = await Promise.all([
    subnetTerms(q, netuid),
    readNeurons(atApi, api, plan, netuid, mechanism),
    readAlphaPrice(atApi, plan, netuid),
  ]);
  if (!terms.added) throw new MinerError('CHAIN_UNAVAILABLE', `subnet ${netuid} does not exist on this chain`);
  // Root (netuid 0) stays in TAO on dTAO runtimes; every other subnet pays and stakes in its own alpha.
  const unit = plan.alpha && netuid !== 0 ? 'alpha' : 'TAO';
  return new FrozenMetagraph({
    netuid,
    block: header.number.toNumber(),
    blockHash: hash,
    tempo: read.tempo ?? terms.tempo,
    syncedAtMs: clock.now(),
    source: plan.path,
    specVersion: plan.specVersion,
    mechanism,
    emissionUnit: unit,
    stakeUnit: unit,
    alphaPriceRao,
    blockTimeMs: plan.blockTimeMs,
    neurons: read.neurons,
  });
}

/** Registration block and immunity period of one uid, where the runtime keeps them. */
export async function readImmunity(api: ApiPromise, netuid: number, uid: number, block: number, blockHash?: string): Promise<ImmunityInfo | null> {
  const atApi = blockHash ? await api.at(blockHash) : api;
  const q = (atApi.query as unknown as Record<string, Query | undefined>)['subtensorModule'];
  if (!q?.['blockAtRegistration'] || !q['immunityPeriod']) return null;
  const [reg, period] = await Promise.all([q['blockAtRegistration'](netuid, uid), q['immunityPeriod'](netuid)]);
  const registeredAtBlock = num(reg);
  const immunityPeriod = num(period);
  const immuneUntilBlock = registeredAtBlock + immunityPeriod;
  return { registeredAtBlock, immunityPeriod, immuneUntilBlock, inImmunity: block < immuneUntilBlock };
}
