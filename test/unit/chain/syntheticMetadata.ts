/*
 * Spec 218's real metadata v15 (from its wasm), with the runtime APIs of newer runtimes declared on
 * top the way metadata v15 declares them: SubnetInfoRuntimeApi.get_metagraph /
 * get_selective_metagraph / get_selective_mechagraph and SwapRuntimeApi.current_alpha_price, their
 * types appended to the portable registry with subtensor's field names (snake_case). No metadata of
 * a runtime that has these APIs can be had here; this is the closest offline stand-in.
 */
import { TypeRegistry, Metadata } from '@polkadot/types';
import { loadDevnetMetadata, type LoadedMetadata } from './realMetadata.js';

interface PortableType {
  id: number;
  type: { path: string[]; params: unknown[]; def: Record<string, unknown>; docs: string[] };
}
interface ApiJson {
  name: string;
  methods: Array<{ name: string; inputs: Array<{ name: string; type: number }>; output: number; docs: string[] }>;
  docs: string[];
}

/** (field name, column element type) of the metagraph columns, in subtensor's order. */
const COLUMNS: Array<[string, 'acct' | 'axon' | 'bool' | 'c16' | 'c64']> = [
  ['hotkeys', 'acct'],
  ['coldkeys', 'acct'],
  ['axons', 'axon'],
  ['active', 'bool'],
  ['validator_permit', 'bool'],
  ['pruning_score', 'c16'],
  ['last_update', 'c64'],
  ['emission', 'c64'],
  ['dividends', 'c16'],
  ['incentives', 'c16'],
  ['consensus', 'c16'],
  ['trust', 'c16'],
  ['rank', 'c16'],
  ['block_at_registration', 'c64'],
  ['alpha_stake', 'c64'],
  ['tao_stake', 'c64'],
  ['total_stake', 'c64'],
];
const HEAD: Array<[string, 'c16' | 'c64']> = [
  ['netuid', 'c16'],
  ['block', 'c64'],
  ['tempo', 'c16'],
];

export async function loadSyntheticMetagraphMetadata(): Promise<LoadedMetadata> {
  const base = await loadDevnetMetadata(218);
  const json = base.metadata.toJSON() as unknown as { metadata: { v15: { lookup: { types: PortableType[] }; apis: ApiJson[] } } };
  const v15 = json.metadata.v15;
  const types = v15.lookup.types;
  const prim = (p: string): number => types.find((t) => String((t.type.def as { primitive?: string }).primitive).toLowerCase() === p)!.id;
  const byPath = (p: string): number => types.find((t) => t.type.path.join('::') === p)!.id;
  const add = (def: Record<string, unknown>, path: string[] = [], params: unknown[] = []): number => {
    const id = types.length;
    types.push({ id, type: { path, params, def, docs: [] } });
    return id;
  };
  const option = (inner: number): number =>
    add(
      {
        variant: {
          variants: [
            { name: 'None', fields: [], index: 0, docs: [] },
            { name: 'Some', fields: [{ name: null, type: inner, typeName: null, docs: [] }], index: 1, docs: [] },
          ],
        },
      },
      ['Option'],
      [{ name: 'T', type: inner }],
    );
  const seq = (inner: number): number => add({ sequence: { type: inner } });
  const el = {
    acct: byPath('sp_core::crypto::AccountId32'),
    axon: byPath('pallet_subtensor::pallet::AxonInfo'),
    bool: prim('bool'),
    c16: add({ compact: { type: prim('u16') } }),
    c64: add({ compact: { type: prim('u64') } }),
  };
  const field = (name: string, type: number) => ({ name, type, typeName: null, docs: [] });
  const whole = add(
    { composite: { fields: [...HEAD.map(([n, t]) => field(n, el[t])), ...COLUMNS.map(([n, t]) => field(n, seq(el[t])))] } },
    ['pallet_subtensor', 'rpc_info', 'metagraph', 'Metagraph'],
    [{ name: 'AccountId', type: el.acct }],
  );
  const selective = add(
    { composite: { fields: [...HEAD.map(([n, t]) => field(n, option(el[t]))), ...COLUMNS.map(([n, t]) => field(n, option(seq(el[t]))))] } },
    ['pallet_subtensor', 'rpc_info', 'metagraph', 'SelectiveMetagraph'],
    [{ name: 'AccountId', type: el.acct }],
  );
  const netuid = { name: 'netuid', type: prim('u16') };
  const indexes = { name: 'metagraph_indexes', type: seq(prim('u16')) };
  const method = (name: string, inputs: ApiJson['methods'][number]['inputs'], output: number) => ({ name, inputs, output, docs: [] });
  const subnetInfo = v15.apis.find((a) => a.name === 'SubnetInfoRuntimeApi')!;
  subnetInfo.methods.push(
    method('get_metagraph', [netuid], option(whole)),
    method('get_selective_metagraph', [netuid, indexes], option(selective)),
    method('get_selective_mechagraph', [netuid, { name: 'mecid', type: prim('u8') }, indexes], option(selective)),
  );
  v15.apis.push({ name: 'SwapRuntimeApi', methods: [method('current_alpha_price', [netuid], prim('u64'))], docs: [] });
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, json as never);
  registry.setMetadata(metadata);
  return { ...base, registry, metadata, specVersion: 448 };
}
