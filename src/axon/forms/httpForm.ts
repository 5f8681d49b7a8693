import type { IncomingHttpHeaders } from 'node:http';
import type { Clock, MinerError } from '../../util/index.js';
import type { SynapseBody, SynapseHandler } from '../../synapse/index.js';
import type { Credentials, LegacyContext, LegacyFields } from '../credentials.js';
import type { JsonBounds } from '../boundedJson.js';
import type { ReplayStore } from '../replayStore.js';

/** The request forms spoken over plain HTTP; `ws` is the WebSocket transport's own. */
export type HttpFormName = 'legacy' | 'btauth' | 'epistula';
export const HTTP_FORM_NAMES: readonly HttpFormName[] = ['legacy', 'btauth', 'epistula'];

export interface FreshnessOpts {
  maxAgeMs: number;
  maxFutureMs: number;
}

/** One HTTP request as a form sees it: headers, target and the whole raw body, still unparsed. */
export interface FormRequest {
  method: string;
  /** Path plus `?query` exactly as sent. */
  target: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  ip: string;
  port: number;
  synapse: SynapseHandler;
}

/** What the axon lends every form: stores, bounds and its identity. */
export interface FormContext {
  clock: Clock;
  axonHotkey: string;
  axonUuid: string;
  json: JsonBounds;
  /** Seen (hotkey, nonce) and (hotkey, uuid) pairs of btauth/1 and Epistula. */
  replays: ReplayStore;
  btauth: FreshnessOpts & { requireReceiver: boolean };
  epistula: FreshnessOpts;
  nextNonce: () => bigint;
  /** The caller's timeout capped by config; the default when absent. */
  timeoutMs: (timeoutSec: number | undefined) => number;
  legacyCredentials: (f: LegacyFields, c: Omit<LegacyContext, 'nonces' | 'axonHotkey'>) => Credentials;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A request a form has read: what the synapse parses, who claims to send it, how to answer. */
export interface FormRead {
  body: SynapseBody;
  credentials: Credentials;
  timeoutMs: number;
  success(outputs: SynapseBody, processTimeSec: number): HttpAnswer;
}

/**
 * One way validators authenticate plain HTTP. A form only knows its headers, its signed
 * message and its answer shape; admission, verification, limits, cache and handler are the
 * pipeline's, shared by all forms. A new form is one file implementing this, listed in
 * httpForms.ts.
 */
export interface HttpForm {
  readonly name: HttpFormName;
  /** Whether these headers are this form's (a request must be claimed by exactly one form). */
  claims(h: IncomingHttpHeaders): boolean;
  /** Who the headers claim sent the request and whether they carry a signature; read before the body. */
  claimed(h: IncomingHttpHeaders): { hotkey: string | undefined; signed: boolean };
  /** Parses the body and the credentials; throws a rejection for anything malformed. */
  read(req: FormRequest, ctx: FormContext): FormRead;
  /** The answer to a refused or failed request, in this form's shape; never echoes a signature or payload. */
  failure(err: MinerError, processTimeSec: number, ctx: FormContext): HttpAnswer;
}
