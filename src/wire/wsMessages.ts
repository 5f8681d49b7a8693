/** The WebSocket frames of `/ws`: what a dendrite sends and an axon answers. */

/** A request frame on `/ws`, after validation. */
export interface WsRequest {
  type: 'request';
  id: string;
  synapse: string;
  /** Seconds; undefined: the configured default. */
  timeout: number | undefined;
  /** The synapse JSON exactly as sent: the body hash covers these bytes. */
  body: string;
  /** Absent fields stay undefined: the pipeline answers them 403/401 as for HTTP. */
  dendrite: { hotkey?: string; nonce?: string; uuid?: string; signature?: string };
}

export interface WsResponse {
  type: 'response';
  id: string | null;
  status: number;
  message: string;
  body: string | null;
  processTimeMs: number;
  /** On 503s: seconds to wait before retrying (the HTTP form's Retry-After). */
  retryAfterSec?: number;
  axon: { hotkey: string; nonce: string; uuid: string; signature: string | null };
}
