export { AxonServer, type AxonServerOpts, type AxonServerModules } from './axonServer.js';
export { Dendrite, type DendriteForm, type DendriteQuery, type DendriteAnswer, type RawHttpAnswer } from './dendrite.js';
export { buildHttpRequest, buildWsFrame, type Forge, type BuiltHttpRequest } from './dendriteRequests.js';
export { computeBodyHash, sha3Hex, pyStr, EMPTY_BODY_HASH } from './bodyHash.js';
export { BITTENSOR_PROTOCOL_VERSION } from './forms/legacy.js';
export { verifyAnyKey, makeSigner, sigFormatOk, secretOf } from './sr25519.js';
export type { WsRequest, WsResponse } from './forms/ws.js';
export type { SigScheme, FormParse, Freshness, Ss58Decoder } from './forms/formTypes.js';
export { decodeSs58 } from './forms/formTypes.js';
export {
  parseBtAuthHeaders, btauthPayload, btauthFreshness, sha256Hex, isBtAuthRequest, type BtAuthHeaders, type BtAuthPayloadParts,
} from './forms/btauth.js';
export {
  parseEpistulaHeaders, epistulaMessage, epistulaSecretMessages, epistulaFreshness, isEpistulaRequest, type EpistulaHeaders,
} from './forms/epistula.js';
export { verifyEd25519 } from './ed25519.js';
export { ReplayStore, btauthReplayKey, epistulaReplayKey, type ReplayStoreOpts, type ReplayVerdict } from './replayStore.js';
export {
  buildBtAuthRequest, buildEpistulaRequest, signerOf, type SignedHttpRequest, type BtAuthRequestOpts, type EpistulaRequestOpts,
  type BtAuthForge, type EpistulaForge,
} from './signedHttpRequests.js';
