export { AxonServer, type AxonServerOpts, type AxonServerModules } from './axonServer.js';
export { Dendrite, type DendriteQuery, type DendriteAnswer, type RawHttpAnswer } from './dendrite.js';
export { buildHttpRequest, buildWsFrame, type Forge, type BuiltHttpRequest } from './dendriteRequests.js';
export { computeBodyHash, sha3Hex, pyStr, EMPTY_BODY_HASH } from './bodyHash.js';
export { BITTENSOR_PROTOCOL_VERSION } from './httpForm.js';
export { verifyAnyKey, makeSigner, sigFormatOk, secretOf } from './sr25519.js';
export type { WsRequest, WsResponse } from './wsProtocol.js';
