/* serve_axon and burned_register built, signed and decoded offline against mainnet (219) and testnet (224) metadata. */
import { describe, expect, it } from 'vitest';
import type { ApiPromise } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { expandMetadata } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { blake2AsU8a, cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { callByName, defineUnknownSignedExtensions, encodeIp } from '../../../src/chain/index.js';
import { loadMetadataJson, type LoadedMetadata } from './realMetadata.js';

interface ExtMeta {
  identifier: { toString(): string };
  type: { toNumber(): number };
  additionalSigned: { toNumber(): number };
}

const ELEVEN = [
  'CheckNonZeroSender',
  'CheckSpecVersion',
  'CheckTxVersion',
  'CheckGenesis',
  'CheckMortality',
  'CheckNonce',
  'CheckWeight',
  'ChargeTransactionPayment',
  'SubtensorSignedExtension',
  'CommitmentsSignedExtension',
  'CheckMetadataHash',
];

function extensionMetas(m: LoadedMetadata): ExtMeta[] {
  return m.metadata.asV14.extrinsic.signedExtensions as unknown as ExtMeta[];
}

/** One extension's value, by the metadata's own type for it: what the runtime will decode. */
function encodeById(m: LoadedMetadata, id: number, value: unknown): Uint8Array {
  return (m.registry.createType(m.registry.createLookupType(id), value) as Codec).toU8a();
}

describe.each(['finney-spec219', 'testnet-spec224'] as const)('signed extrinsics against %s metadata', (name) => {
  const m = loadMetadataJson(name);
  const defined = defineUnknownSignedExtensions({ registry: m.registry, runtimeMetadata: m.metadata });
  const tx = expandMetadata(m.registry, m.metadata).tx;
  const fakeApi = { tx } as unknown as ApiPromise;
  const blockHash = m.at.hash;
  const era = m.registry.createType('ExtrinsicEra', { current: m.at.height, period: 64 });
  const nonce = 4_242;
  const tip = 1_000_000n;

  /** The bytes every extension adds to the extrinsic and to the signed payload, each from its metadata type. */
  function expectedExtension(mode: 0 | 1, metadataHash: string | null): { extra: Uint8Array; additional: Uint8Array } {
    const extra: Uint8Array[] = [];
    const additional: Uint8Array[] = [];
    const values: Record<string, [unknown, unknown]> = {
      CheckSpecVersion: [null, m.specVersion],
      CheckTxVersion: [null, m.transactionVersion],
      CheckGenesis: [null, m.genesisHash],
      CheckMortality: [era.toU8a(), blockHash],
      CheckNonce: [nonce, null],
      ChargeTransactionPayment: [tip, null],
      CheckMetadataHash: [{ mode }, metadataHash],
    };
    for (const e of extensionMetas(m)) {
      const [x, a] = values[e.identifier.toString()] ?? [null, null];
      extra.push(e.identifier.toString() === 'CheckMortality' ? era.toU8a() : encodeById(m, e.type.toNumber(), x));
      additional.push(encodeById(m, e.additionalSigned.toNumber(), a));
    }
    return { extra: u8aConcat(...extra), additional: u8aConcat(...additional) };
  }

  async function signAndDecode(call: Codec, mode: 0 | 1 = 0, metadataHash: string | null = null) {
    await cryptoWaitReady();
    const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Eve');
    const ext = m.registry.createType('Extrinsic', call, { version: 4 });
    const options = {
      blockHash,
      era,
      genesisHash: m.genesisHash,
      nonce,
      tip,
      mode,
      ...(metadataHash ? { metadataHash } : {}),
      runtimeVersion: { specVersion: m.specVersion, transactionVersion: m.transactionVersion },
      signedExtensions: m.registry.signedExtensions,
    };
    (ext as unknown as { sign(p: unknown, o: unknown): void }).sign(pair, options);
    const back = m.registry.createType('Extrinsic', ext.toHex()) as unknown as {
      isSigned: boolean;
      signer: Codec;
      era: Codec;
      nonce: Codec;
      tip: Codec;
      method: { section: string; method: string; args: Codec[]; toU8a(): Uint8Array };
      signature: Codec;
      toU8a(isBare?: boolean): Uint8Array;
      inner: { signature: { mode?: Codec } };
    };
    return { pair, ext, back };
  }

  function checkEveryExtension(
    back: Awaited<ReturnType<typeof signAndDecode>>['back'],
    pair: { address: string },
    mode: 0 | 1,
    metadataHash: string | null,
  ): void {
    const want = expectedExtension(mode, metadataHash);
    // Bare extrinsic v4: 0x84 | MultiAddress (0x00 + 32) | MultiSignature (0x01 + 64) | extensions' extra | call.
    const bare = back.toU8a(true);
    const call = back.method.toU8a();
    expect(bare[0]).toBe(0x84);
    const extra = bare.subarray(1 + 33 + 65, bare.length - call.length);
    expect(u8aToHex(extra)).toBe(u8aToHex(want.extra));
    // The signature covers call ++ extra ++ every extension's additional data, as the runtime recomputes it.
    const payload = u8aConcat(call, want.extra, want.additional);
    const signed = payload.length > 256 ? blake2AsU8a(payload) : payload;
    const sig = back.signature.toU8a();
    expect(signatureVerify(signed, sig, pair.address).isValid).toBe(true);
  }

  it("defines the runtime's own extensions and keeps all eleven in order", () => {
    expect(m.registry.signedExtensions).toEqual(ELEVEN);
    expect(extensionMetas(m).map((e) => e.identifier.toString())).toEqual(ELEVEN);
    expect(defined.sort()).toEqual(['CommitmentsSignedExtension', 'SubtensorSignedExtension']);
  });

  it("serve_axon: arguments in the runtime's order, every extension checked, signature valid", async () => {
    const ip = encodeIp('2001:db8::7');
    const call = callByName(fakeApi, 'subtensorModule', 'serveAxon', {
      netuid: 7,
      version: 1_002_003,
      ip: ip.ip,
      port: 8091,
      ipType: ip.ipType,
      protocol: 4,
      placeholder1: 0,
      placeholder2: 0,
    }) as unknown as Codec;
    const { pair, back } = await signAndDecode(call);
    expect(back.isSigned).toBe(true);
    expect(back.signer.toString()).toBe(pair.address);
    expect(`${back.method.section}.${back.method.method}`).toBe('subtensorModule.serveAxon');
    expect(back.method.args.map((a) => a.toString())).toEqual(['7', '1002003', ip.ip.toString(), '8091', '6', '4', '0', '0']);
    expect(back.nonce.toString()).toBe(String(nonce));
    expect(back.tip.toString()).toBe(tip.toString());
    expect((back.era as unknown as { asMortalEra: { period: Codec } }).asMortalEra.period.toString()).toBe('64');
    checkEveryExtension(back, pair, 0, null);
  });

  it('burned_register: signed by the coldkey, with CheckMetadataHash enabled and its hash in the payload', async () => {
    const hotkey = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Ferdie').address;
    const call = callByName(fakeApi, 'subtensorModule', 'burnedRegister', { netuid: 3, hotkey }) as unknown as Codec;
    const hash = `0x${'ab'.repeat(32)}`;
    const { pair, back } = await signAndDecode(call, 1, hash);
    expect(`${back.method.section}.${back.method.method}`).toBe('subtensorModule.burnedRegister');
    expect(back.method.args.map((a) => a.toString())).toEqual(['3', hotkey]);
    expect(back.inner.signature.mode?.toString()).toMatch(/^(1|Enabled)$/);
    checkEveryExtension(back, pair, 1, hash);
  });

  it('refuses a call whose arguments the runtime does not list', () => {
    expect(() => callByName(fakeApi, 'subtensorModule', 'serveAxon', { netuid: 1, version: 1 })).toThrow(/needs argument ip/);
  });
});
