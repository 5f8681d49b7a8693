import type { IncomingHttpHeaders } from 'node:http';
import { rejection } from '../rejection.js';
import { btauthPayload, sha256Hex, utf8 } from '../../wire/index.js';
import type { Credentials } from '../credentials.js';
import { btauthReplayKey } from '../replayStore.js';
import { btauthFreshness, isBtAuthRequest, parseBtAuthHeaders } from './btauth.js';
import { codeMessageAnswer, outputsAnswer, readInputBody, recordOnce, refuseUnfresh, unwrap } from './jsonForms.js';
import type { FormContext, FormRead, FormRequest, HttpForm } from './httpForm.js';
import { firstValue } from './formTypes.js';

/**
 * btauth/1: the eight-line payload over the raw body's sha256 and the target as sent. Order
 * as the SDK verifies: header shape, receiver binding, freshness, the declared scheme's
 * signature, and only then the (hotkey, nonce) pair is recorded.
 */
export const btauthForm: HttpForm = {
  name: 'btauth',
  claims: (h: IncomingHttpHeaders) => isBtAuthRequest(h),
  claimed: (h: IncomingHttpHeaders) => ({ hotkey: firstValue(h['x-bittensor-hotkey']), signed: firstValue(h['x-bittensor-signature']) !== undefined }),
  read(req: FormRequest, ctx: FormContext): FormRead {
    const h = unwrap(parseBtAuthHeaders(req.headers));
    const bodySha256Hex = sha256Hex(req.raw);
    const body = readInputBody(req, ctx);
    const replayKey = btauthReplayKey(h.hotkey, h.nonceText);
    const credentials: Credentials = {
      hotkey: h.hotkey,
      scheme: h.scheme,
      signature: h.signature,
      precheck() {
        if (h.receiver === null && ctx.btauth.requireReceiver) throw rejection('BAD_SIGNATURE', 'Missing X-Bittensor-Receiver');
        if (h.receiver !== null && h.receiver !== ctx.axonHotkey) throw rejection('BAD_SIGNATURE', 'Request is signed for another receiver');
        refuseUnfresh(btauthFreshness(h.nonce, ctx.clock.now(), ctx.btauth.maxAgeMs, ctx.btauth.maxFutureMs), 'X-Bittensor-Nonce');
        if (ctx.replays.has(replayKey)) throw rejection('BAD_NONCE', 'Replayed request');
      },
      message: () =>
        utf8(
          btauthPayload({
            scheme: h.scheme,
            method: req.method,
            target: req.target,
            bodySha256Hex,
            nonce: h.nonceText,
            sender: h.hotkey,
            receiver: h.receiver,
          }),
        ),
      commit: () => recordOnce(ctx, replayKey),
    };
    return { body, credentials, timeoutMs: ctx.timeoutMs(undefined), success: (outputs) => outputsAnswer(outputs) };
  },
  failure: (err) => codeMessageAnswer(err),
};
