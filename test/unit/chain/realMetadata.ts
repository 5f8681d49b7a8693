/* Real subtensor metadata for offline tests: the finney/testnet JSON files, and the devnet runtimes' own wasm. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { compactFromU8a, hexToU8a } from '@polkadot/util';
import { emptyTaskHandler, getRuntimeVersion, runTask } from '@acala-network/chopsticks-core';

const CHAINSPECS = fileURLToPath(new URL('../../../../shared/chainspecs/', import.meta.url));

export interface LoadedMetadata {
  registry: TypeRegistry;
  metadata: Metadata;
  specVersion: number;
  transactionVersion: number;
  genesisHash: string;
  /** A block of that chain (hash and number) at which the metadata was taken. */
  at: { hash: string; height: number };
}

function load(hex: `0x${string}` | Uint8Array, specVersion: number, transactionVersion: number, genesisHash: string, at: LoadedMetadata['at']): LoadedMetadata {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, hex);
  registry.setMetadata(metadata);
  return { registry, metadata, specVersion, transactionVersion, genesisHash, at };
}

/** `finney-spec219` or `testnet-spec224`: real metadata (v14) saved from live chains. */
export function loadMetadataJson(name: 'finney-spec219' | 'testnet-spec224'): LoadedMetadata {
  const j = JSON.parse(readFileSync(`${CHAINSPECS}${name}.metadata.json`, 'utf8')) as {
    specVersion: number;
    txVersion: number;
    genesisHash: string;
    at: { hash: string; height: string };
    metadata: `0x${string}`;
  };
  return load(j.metadata, j.specVersion, j.txVersion, j.genesisHash, { hash: j.at.hash, height: Number(j.at.height) });
}

const SPEC_FILES = { 103: 'subtensor-testfinney-spec103.raw.json', 218: 'subtensor-raonet-spec218.raw.json' } as const;

/**
 * The metadata a devnet runtime serves, taken from the runtime wasm in its chain spec (no chain
 * started): v15 where the runtime offers metadata_at_version (218), else v14 (103).
 */
export async function loadDevnetMetadata(spec: 103 | 218): Promise<LoadedMetadata> {
  const j = JSON.parse(readFileSync(`${CHAINSPECS}${SPEC_FILES[spec]}`, 'utf8')) as { genesis: { raw: { top: Record<string, `0x${string}`> } } };
  const code = j.genesis.raw.top['0x3a636f6465']!;
  const version = await getRuntimeVersion(code);
  const task = (call: string, args: `0x${string}`[]) =>
    runTask({ wasm: code, calls: [[call, args]], mockSignatureHost: false, allowUnresolvedImports: true, runtimeLogLevel: 0 }, emptyTaskHandler);
  let res = await task('Metadata_metadata_at_version', ['0x0f000000']);
  let bytes: Uint8Array;
  if ('Call' in res) {
    // Option<OpaqueMetadata>: 0x01, then the length-prefixed metadata.
    const u = hexToU8a(res.Call.result).subarray(1);
    bytes = u.subarray(compactFromU8a(u)[0]);
  } else {
    res = await task('Metadata_metadata', []);
    if (!('Call' in res)) throw new Error(`spec ${spec}: no metadata: ${res.Error}`);
    const u = hexToU8a(res.Call.result);
    bytes = u.subarray(compactFromU8a(u)[0]);
  }
  return load(bytes, version.specVersion, version.transactionVersion, `0x${'00'.repeat(32)}`, { hash: `0x${'11'.repeat(32)}`, height: 1 });
}
