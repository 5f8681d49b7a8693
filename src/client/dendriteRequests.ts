import type { KeyringPair } from '@polkadot/keyring/types';
import { BITTENSOR_PROTOCOL_VERSION, computeBodyHash, makeSigner, PyFloat, PyInt, pythonJsonDumps, sha3Hex, toHex, utf8, wrapBytes } from '../wire/index.js';

/** Fields a test may forge; anything left out is filled in correctly. */
export interface Forge {
  nonce?: string | bigint;
  uuid?: string;
  /** The hotkey claimed in the request (default: the signer's address). */
  dendriteHotkey?: string;
  /** The axon hotkey put into the signed message (default: the one queried). */
  signedAxonHotkey?: string;
  /** Signs with this pair instead of the dendrite's. */
  signer?: KeyringPair;
  /** Sends this signature verbatim ('' sends none). */
  signature?: string;
  /** Signs `<Bytes>message</Bytes>` as browser extensions do. */
  wrapBytes?: boolean;
  /** HTTP: the computed_body_hash header value. */
  bodyHash?: string;
}

export interface RequestParts {
  /** The dendrite's hotkey address and its signing function (see makeSigner). */
  address: string;
  sign: (msg: Uint8Array) => Uint8Array;
  uuid: string;
  nonce: bigint;
  synapse: string;
  axonHotkey: string;
  timeoutSec: number;
}

function signMessage(parts: RequestParts, bodyHash: string, f: Forge): { hotkey: string; nonce: string; uuid: string; signature: string } {
  const sign = f.signer ? makeSigner(f.signer) : parts.sign;
  const hotkey = f.dendriteHotkey ?? parts.address;
  const nonce = (f.nonce ?? parts.nonce).toString();
  const uuid = f.uuid ?? parts.uuid;
  const message = `${nonce}.${hotkey}.${f.signedAxonHotkey ?? parts.axonHotkey}.${uuid}.${bodyHash}`;
  const bytes = f.wrapBytes ? wrapBytes(utf8(message)) : utf8(message);
  const signature = f.signature ?? toHex(sign(bytes));
  return { hotkey, nonce, uuid, signature };
}

/** A `/ws` request frame (docs/protocol.md), signed over the exact body string. */
export function buildWsFrame(parts: RequestParts & { id: string; bodyText: string }, f: Forge = {}): Record<string, unknown> {
  const d = signMessage(parts, sha3Hex(parts.bodyText), f);
  const dendrite: Record<string, string> = { hotkey: d.hotkey, nonce: d.nonce, uuid: d.uuid };
  if (d.signature !== '') dendrite['signature'] = d.signature;
  return { type: 'request', id: parts.id, synapse: parts.synapse, timeout: parts.timeoutSec, body: parts.bodyText, dendrite };
}

export interface HttpRequestParts extends RequestParts {
  body: Record<string, unknown>;
  axonIp: string;
  axonPort: number;
  dendriteIp: string;
  requiredHashFields?: readonly string[];
}

export interface BuiltHttpRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const TERMINAL_FIELDS = ['status_code', 'status_message', 'process_time', 'ip', 'port', 'version', 'nonce', 'uuid', 'hotkey', 'signature'];

function terminal(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(TERMINAL_FIELDS.map((k) => [k, values[k] ?? null]));
}

/** base64(json.dumps(type())) as Synapse.to_headers() writes for each required input field. */
function inputObjHeader(v: unknown): string | undefined {
  if (typeof v === 'number') return Buffer.from(Number.isInteger(v) ? '0' : '0.0').toString('base64');
  if (typeof v === 'string') return Buffer.from('""').toString('base64');
  if (typeof v === 'boolean') return Buffer.from('false').toString('base64');
  return undefined;
}

/**
 * The request a stock Python dendrite (bittensor 10) sends: body = synapse.model_dump() as
 * json.dumps writes it, headers = synapse.to_headers(), message signed over body_hash.
 */
export function buildHttpRequest(p: HttpRequestParts, f: Forge = {}): BuiltHttpRequest {
  const bodyHash = computeBodyHash(p.body, p.requiredHashFields);
  const d = signMessage(p, bodyHash, f);
  const dendrite = terminal({
    ip: p.dendriteIp,
    version: BITTENSOR_PROTOCOL_VERSION,
    nonce: new PyInt(d.nonce),
    uuid: d.uuid,
    hotkey: d.hotkey,
    signature: d.signature === '' ? null : d.signature,
  });
  const axon = terminal({ ip: p.axonIp, port: p.axonPort, hotkey: p.axonHotkey });
  const model = {
    name: p.synapse,
    timeout: new PyFloat(p.timeoutSec),
    total_size: 0,
    header_size: 0,
    dendrite,
    axon,
    computed_body_hash: '',
    ...p.body,
  };
  const headers: Record<string, string> = { name: p.synapse, timeout: pythonJsonDumps(new PyFloat(p.timeoutSec)) };
  for (const [k, v] of Object.entries(axon)) if (v !== null) headers[`bt_header_axon_${k}`] = String(v);
  for (const [k, v] of Object.entries(dendrite)) if (v !== null) headers[`bt_header_dendrite_${k}`] = v instanceof PyInt ? v.value.toString() : String(v);
  for (const [k, v] of Object.entries(p.body)) {
    const h = inputObjHeader(v);
    if (h !== undefined) headers[`bt_header_input_obj_${k}`] = h;
  }
  headers['computed_body_hash'] = f.bodyHash ?? bodyHash;
  const body = pythonJsonDumps(model);
  headers['header_size'] = String(200 + Object.keys(headers).length * 40);
  headers['total_size'] = String(body.length);
  headers['content-type'] = 'application/json';
  return { path: `/${p.synapse}`, headers, body };
}
