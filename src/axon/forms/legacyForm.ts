import type { IncomingHttpHeaders } from 'node:http';
import { rejection } from '../rejection.js';
import { publicMessage, type MinerError } from '../../util/index.js';
import type { SynapseBody } from '../../synapse/index.js';
import { parseBoundedJson } from '../boundedJson.js';
import { BITTENSOR_PROTOCOL_VERSION, computeBodyHash } from '../../wire/index.js';
import { headerSafe, isPlainObject, parseBtHeaders, responseHeaders, successBody } from './legacy.js';
import type { FormContext, FormRead, FormRequest, HttpAnswer, HttpForm } from './httpForm.js';
import { firstValue } from './formTypes.js';

const DENDRITE_HEADERS = ['bt_header_dendrite_hotkey', 'bt_header_dendrite_signature', 'bt_header_dendrite_nonce', 'bt_header_dendrite_uuid'];

/**
 * Bittensor SDK 10 (`POST /<Synapse>`, `bt_header_*`): the body is the whole synapse, the 200
 * echoes it with outputs and terminals filled as the Python axon does, refusals are `{"message"}`.
 */
export const legacyForm: HttpForm = {
  name: 'legacy',
  claims: (h: IncomingHttpHeaders) => DENDRITE_HEADERS.some((name) => h[name] !== undefined),
  claimed: (h: IncomingHttpHeaders) => ({
    hotkey: firstValue(h['bt_header_dendrite_hotkey']),
    signed: firstValue(h['bt_header_dendrite_signature']) !== undefined,
  }),
  read(req: FormRequest, ctx: FormContext): FormRead {
    const body = req.raw.length === 0 ? {} : parseBoundedJson(req.raw, ctx.json, 'body');
    if (!isPlainObject(body)) throw rejection('BAD_REQUEST', 'Bad Request: body must be a JSON object');
    const h = parseBtHeaders(req.headers);
    const timeoutSec = h.timeoutSec ?? (typeof body['timeout'] === 'number' ? body['timeout'] : undefined);
    const timeoutMs = ctx.timeoutMs(timeoutSec);
    const credentials = ctx.legacyCredentials(h, {
      timeoutMs,
      bodyHash: () => computeBodyHash(body, req.synapse.requiredHashFields),
      claimedBodyHash: h.computedBodyHash,
    });
    const success = (outputs: SynapseBody, processTimeSec: number): HttpAnswer => {
      const axonNonce = ctx.nextNonce();
      const json = successBody(body, outputs, {
        processTimeSec,
        axonHotkey: ctx.axonHotkey,
        axonUuid: ctx.axonUuid,
        axonNonce,
        dendrite: { hotkey: h.hotkey!, nonce: h.nonce!, uuid: h.uuid!, signature: h.signature, ip: req.ip, port: req.port },
      });
      const headers = responseHeaders(200, 'Success', processTimeSec, {
        name: req.synapse.name,
        timeout: String(timeoutMs / 1000),
        bt_header_axon_hotkey: ctx.axonHotkey,
        bt_header_axon_uuid: ctx.axonUuid,
        bt_header_axon_nonce: axonNonce.toString(),
        bt_header_axon_version: String(BITTENSOR_PROTOCOL_VERSION),
        bt_header_dendrite_hotkey: headerSafe(h.hotkey ?? ''),
        bt_header_dendrite_nonce: h.nonce ?? '',
        bt_header_dendrite_uuid: headerSafe(h.uuid ?? ''),
        bt_header_dendrite_ip: req.ip,
        computed_body_hash: h.computedBodyHash ?? '',
      });
      return { status: 200, headers, body: json };
    };
    return { body, credentials, timeoutMs, success };
  },
  failure: (err, processTimeSec, ctx) => legacyFailure(err, processTimeSec, ctx.axonHotkey),
};

/** A refusal as the Python axon writes it; also what a request that no form claims gets. */
export function legacyFailure(err: MinerError, processTimeSec: number, axonHotkey: string): HttpAnswer {
  const message = publicMessage(err);
  const extra: Record<string, string> = { bt_header_axon_hotkey: axonHotkey };
  if (err.spec.retryAfterSec !== undefined) extra['retry-after'] = String(err.spec.retryAfterSec);
  return { status: err.spec.status, headers: responseHeaders(err.spec.status, message, processTimeSec, extra), body: JSON.stringify({ message }) };
}
