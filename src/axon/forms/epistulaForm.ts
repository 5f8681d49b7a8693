import type { IncomingHttpHeaders } from 'node:http';
import { rejection } from '../rejection.js';
import { epistulaMessage, sha256Hex, utf8 } from '../../wire/index.js';
import type { Credentials } from '../credentials.js';
import { epistulaReplayKey } from '../replayStore.js';
import { epistulaFreshness, isEpistulaRequest, parseEpistulaHeaders } from './epistula.js';
import { codeMessageAnswer, outputsAnswer, readInputBody, recordOnce, refuseUnfresh, unwrap } from './jsonForms.js';
import type { FormContext, FormRead, FormRequest, HttpForm } from './httpForm.js';
import { firstValue } from './formTypes.js';

/**
 * Epistula v2: sr25519 over `{sha256(body)}.{uuid}.{timestamp}.{signed_for}`, bound to this
 * miner's hotkey, fresh within the window, each (hotkey, uuid) used once.
 */
export const epistulaForm: HttpForm = {
  name: 'epistula',
  claims: (h: IncomingHttpHeaders) => isEpistulaRequest(h),
  claimed: (h: IncomingHttpHeaders) => ({ hotkey: firstValue(h['epistula-signed-by']), signed: firstValue(h['epistula-request-signature']) !== undefined }),
  read(req: FormRequest, ctx: FormContext): FormRead {
    const h = unwrap(parseEpistulaHeaders(req.headers));
    const bodySha256Hex = sha256Hex(req.raw);
    const body = readInputBody(req, ctx);
    const replayKey = epistulaReplayKey(h.signedBy, h.uuid);
    const credentials: Credentials = {
      hotkey: h.signedBy,
      scheme: 'sr25519',
      signature: h.signature,
      precheck() {
        if (h.signedFor !== ctx.axonHotkey) throw rejection('BAD_SIGNATURE', 'Epistula-Signed-For is not this miner');
        refuseUnfresh(epistulaFreshness(h.timestampMs, ctx.clock.now(), ctx.epistula.maxAgeMs, ctx.epistula.maxFutureMs), 'Epistula-Timestamp');
        if (ctx.replays.has(replayKey)) throw rejection('BAD_NONCE', 'Replayed request');
      },
      message: () => utf8(epistulaMessage(bodySha256Hex, h.uuid, h.timestampText, h.signedFor)),
      commit: () => recordOnce(ctx, replayKey),
    };
    return { body, credentials, timeoutMs: ctx.timeoutMs(undefined), success: (outputs) => outputsAnswer(outputs) };
  },
  failure: (err) => codeMessageAnswer(err),
};
