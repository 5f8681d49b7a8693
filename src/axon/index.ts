export { AxonServer, type AxonServerOpts, type AxonServerModules } from './axonServer.js';
// The wire's contracts live in src/wire (shared with the client); re-exported for the axon's users.
export {
  computeBodyHash,
  sha3Hex,
  pyStr,
  EMPTY_BODY_HASH,
  BITTENSOR_PROTOCOL_VERSION,
  verifyAnyKey,
  makeSigner,
  sigFormatOk,
  secretOf,
  btauthPayload,
  sha256Hex,
  epistulaMessage,
  epistulaSecretMessages,
  type BtAuthPayloadParts,
  type WsRequest,
  type WsResponse,
} from '../wire/index.js';
export type { SigScheme, FormParse, Freshness, Ss58Decoder } from './forms/formTypes.js';
export { decodeSs58 } from './forms/formTypes.js';
export {
  parseBtAuthHeaders,
  btauthFreshness,
  isBtAuthRequest,
  type BtAuthHeaders,
} from './forms/btauth.js';
export {
  parseEpistulaHeaders,
  epistulaFreshness,
  isEpistulaRequest,
  type EpistulaHeaders,
} from './forms/epistula.js';
export { verifyEd25519 } from './ed25519.js';
export { ReplayStore, btauthReplayKey, epistulaReplayKey, type ReplayStoreOpts, type ReplayVerdict } from './replayStore.js';
