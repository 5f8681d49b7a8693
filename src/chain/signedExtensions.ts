import type { Metadata } from '@polkadot/types';
import type { Registry } from '@polkadot/types/types';
import { findUnknownExtensions } from '@polkadot/types/extrinsic/signedExtensions';
import type { ExtDef } from '@polkadot/types/extrinsic/signedExtensions/types';

interface ExtensionMeta {
  identifier: { toString(): string };
  type: { toNumber(): number };
  implicit?: { toNumber(): number };
  additionalSigned?: { toNumber(): number };
}

/** What defining extensions needs: a live ApiPromise, or a TypeRegistry with a Metadata loaded offline. */
export interface ExtensionHost {
  readonly registry: Registry;
  readonly runtimeMetadata: Metadata;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** A lookup type id as a registry type name, or null when it encodes to nothing (unit, empty struct). */
function typeOrNull(api: ExtensionHost, id: number): string | null {
  const si = api.registry.lookup.getSiType(id);
  if (si.def.isTuple && si.def.asTuple.length === 0) return null;
  if (si.def.isComposite && si.def.asComposite.fields.length === 0) return null;
  return api.registry.createLookupType(id);
}

/**
 * The extensions as the runtime's own metadata version states them: converted to the latest
 * version, v14/v15 metadata loses `additional_signed` (it reads as type 0).
 */
function extensionMetas(api: ExtensionHost): ExtensionMeta[] {
  const rt = api.runtimeMetadata as unknown as { version: number } & Record<string, { extrinsic: Record<string, ExtensionMeta[] | undefined> } | undefined>;
  const own = rt[`asV${rt.version}`]?.extrinsic;
  if (own) return own['transactionExtensions'] ?? own['signedExtensions'] ?? [];
  const latest = api.registry.metadata.extrinsic as unknown as Record<string, ExtensionMeta[] | undefined>;
  return latest['transactionExtensions'] ?? latest['signedExtensions'] ?? [];
}

/**
 * Subtensor adds signed extensions that @polkadot/api does not know (SubtensorSignedExtension,
 * ChargeTransactionPaymentWrapper, ...); left unknown they are treated as empty and signing
 * fails on runtimes where they carry data. Each unknown one is defined from its metadata types,
 * filled with the type's default (zero tip, no extra data).
 */
export function defineUnknownSignedExtensions(api: ExtensionHost): string[] {
  const names = api.registry.signedExtensions;
  const unknown = findUnknownExtensions(names);
  if (unknown.length === 0) return [];
  const metas = extensionMetas(api);
  const user: ExtDef = {};
  for (const m of metas) {
    const id = m.identifier.toString();
    if (!unknown.includes(id)) continue;
    const field = lowerFirst(id);
    const extType = typeOrNull(api, m.type.toNumber());
    const implicitId = (m.implicit ?? m.additionalSigned)?.toNumber();
    const payloadType = implicitId === undefined ? null : typeOrNull(api, implicitId);
    user[id] = {
      extrinsic: extType ? { [field]: extType } : {},
      payload: payloadType ? { [`${field}Implicit`]: payloadType } : {},
    };
  }
  api.registry.setSignedExtensions(names, user);
  return unknown;
}
