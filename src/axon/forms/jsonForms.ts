import { rejection } from '../rejection.js';
import { publicMessage, type MinerError } from '../../util/index.js';
import type { SynapseBody } from '../../synapse/index.js';
import { parseBoundedJson } from '../boundedJson.js';
import { isPlainObject } from './legacy.js';
import type { Freshness, FormParse } from './formTypes.js';
import type { FormContext, FormRequest, HttpAnswer } from './httpForm.js';

/**
 * What btauth/1 and Epistula share: the body is the synapse's input fields as a JSON object
 * (hashed raw, before parsing), a 200 holds the output fields, a refusal is
 * `{"code", "message"}` with the legacy statuses.
 */
export function readInputBody(req: FormRequest, ctx: FormContext): SynapseBody {
  const body = req.raw.length === 0 ? {} : parseBoundedJson(req.raw, ctx.json, 'body');
  if (!isPlainObject(body)) throw rejection('BAD_REQUEST', 'Bad Request: body must be a JSON object of the synapse input fields');
  return body;
}

export function outputsAnswer(outputs: SynapseBody): HttpAnswer {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(outputs) };
}

export function codeMessageAnswer(err: MinerError): HttpAnswer {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (err.spec.retryAfterSec !== undefined) headers['retry-after'] = String(err.spec.retryAfterSec);
  return { status: err.spec.status, headers, body: JSON.stringify({ code: err.code, message: publicMessage(err) }) };
}

/** A header parse failure as the rejection the pipeline answers with. */
export function unwrap<T>(r: FormParse<T>): T {
  if (!r.ok) throw rejection(r.code, r.message);
  return r.value;
}

export function refuseUnfresh(f: Freshness, what: string): void {
  if (f === 'stale') throw rejection('BAD_NONCE', `Stale ${what}`);
  if (f === 'future') throw rejection('BAD_NONCE', `${what} is too far in the future`);
}

/** Records a replay key after the signature verified: a second use, or a full store, is refused. */
export function recordOnce(ctx: FormContext, key: string): void {
  const v = ctx.replays.record(key);
  if (v === 'replay') throw rejection('BAD_NONCE', 'Replayed request');
  if (v === 'full') throw rejection('OVERLOADED', 'Service Unavailable: replay store full');
}
