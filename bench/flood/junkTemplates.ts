/**
 * The junk of the mixed flood. Each second one template per kind is built (fresh nonce, and a
 * fresh real signature for the unknown keys), then stamped out with a new id and, for forgeries,
 * a new well-formed random signature per item: a forged request with a stale nonce would be
 * refused before the costly signature check, which is not the attack being measured.
 */
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { makeSigner } from '../../src/axon/index.js';
import { buildHttpRequest, buildWsFrame, type Forge } from '../../src/client/index.js';
import { httpBytes } from '../fuzz/caseKit.js';
import { wellFormedForgery } from '../fuzz/familiesAuth.js';
import { rawFrame } from '../fuzz/wsWire.js';

const ZERO_MASK = Buffer.alloc(4);
/** A client text frame with an all-zero mask: valid, and no per-byte work for the generator. */
const textFrame = (s: string): Buffer => rawFrame({ opcode: 1, payload: Buffer.from(s, 'utf8'), maskKey: ZERO_MASK });

export const JUNK_KINDS = [
  'unsigned-claiming-validator',
  'forged-signature-claiming-validator',
  'unregistered-key',
  'garbage',
  'fresh-signature-unknown-key',
] as const;
type Kind = (typeof JUNK_KINDS)[number];

interface Signer {
  address: string;
  sign: (m: Uint8Array) => Uint8Array;
}

export interface JunkKeys {
  validator: string;
  unregistered: Signer;
  unknown: Signer[];
}

/** Needs the sr25519 wasm ready (cryptoWaitReady). */
export function junkKeys(validator: string, unknownCount = 8): JunkKeys {
  const k = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const signer = (uri: string): Signer => {
    const p = k.addFromUri(uri);
    return { address: p.address, sign: makeSigner(p) };
  };
  return {
    validator,
    unregistered: signer('//Ferdie'),
    unknown: Array.from({ length: unknownCount }, () => signer(`0x${randomBytes(32).toString('hex')}`)),
  };
}

const NOSIGN = (): Uint8Array => new Uint8Array(64);
/** A placeholder that stamping replaces: the id (WS) and, for forgeries, the signature. */
const ID_MARK = 'JUNKIDJUNKID';

function partsFor(kind: Kind, keys: JunkKeys, round: number): { address: string; sign: Signer['sign']; forge: Forge; forged: boolean } | null {
  switch (kind) {
    case 'unsigned-claiming-validator':
      return { address: keys.validator, sign: NOSIGN, forge: { signature: '' }, forged: false };
    case 'forged-signature-claiming-validator':
      return { address: keys.validator, sign: NOSIGN, forge: { signature: wellFormedForgery() }, forged: true };
    case 'unregistered-key':
      return { address: keys.unregistered.address, sign: NOSIGN, forge: { signature: wellFormedForgery() }, forged: true };
    case 'fresh-signature-unknown-key': {
      const s = keys.unknown[round % keys.unknown.length]!;
      return { ...s, forge: {}, forged: false };
    }
    default:
      return null;
  }
}

interface Template {
  text: string;
  /** The signature in `text` to replace per item, when the kind is a forgery. */
  sig: string | null;
}

function template(form: 'ws' | 'http', kind: Kind, keys: JunkKeys, axonHotkey: string, port: number, round: number, nonce: bigint): Template | null {
  const p = partsFor(kind, keys, round);
  if (!p) return null;
  const uuid = `junk-${randomBytes(6).toString('hex')}`;
  const sig = p.forged ? (p.forge.signature ?? null) : null;
  if (form === 'ws') {
    const f = buildWsFrame(
      { id: ID_MARK, synapse: 'Dummy', bodyText: '{"dummy_input": 1}', timeoutSec: 12, address: p.address, sign: p.sign, uuid, nonce, axonHotkey },
      p.forge,
    );
    return { text: JSON.stringify(f), sig };
  }
  const r = buildHttpRequest(
    {
      synapse: 'Dummy',
      body: { dummy_input: 1 },
      timeoutSec: 12,
      address: p.address,
      sign: p.sign,
      uuid,
      nonce,
      axonHotkey,
      axonIp: '127.0.0.1',
      axonPort: port,
      dendriteIp: '127.0.0.1',
    },
    p.forge,
  );
  return { text: httpBytes('POST', r.path, r.headers, r.body).toString('latin1'), sig };
}

function stamp(form: 'ws' | 'http', t: Template | null): Buffer {
  if (!t) {
    const garbage = randomBytes(48 + Math.floor(Math.random() * 150)).toString('base64');
    return form === 'ws' ? textFrame(garbage) : httpBytes('POST', '/Dummy', { 'content-type': 'application/json' }, garbage);
  }
  let text = form === 'ws' ? t.text.replace(ID_MARK, randomBytes(6).toString('hex')) : t.text;
  if (t.sig) text = text.replaceAll(t.sig, wellFormedForgery());
  return form === 'ws' ? textFrame(text) : Buffer.from(text, 'latin1');
}

/** `perKind` items of every kind, shuffled; templates are built once per call. */
export function junkItems(form: 'ws' | 'http', keys: JunkKeys, axonHotkey: string, port: number, perKind: number, nowNs: () => bigint, round = 0): Buffer[] {
  const items: Buffer[] = [];
  for (const kind of JUNK_KINDS) {
    const t = template(form, kind, keys, axonHotkey, port, round, nowNs());
    for (let i = 0; i < perKind; i++) items.push(stamp(form, t));
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
