// The wire's contracts, shared by the axon (server side) and the client (dendrite side): body
// hashing, Python-compatible JSON, sr25519 signing and verifying, and the signed message formats.
// A leaf: it imports no other subsystem.
export { sha3Hex, pyRepr, pyStr, computeBodyHash, EMPTY_BODY_HASH } from './bodyHash.js';
export { PyFloat, PyInt, pythonJsonDumps } from './pythonJson.js';
export {
  SCHNORRKEL_MODULE_PATH,
  utf8,
  wrapBytes,
  sigFormatOk,
  verifyTrustedKey,
  verifyAnyKey,
  cryptoReady,
  parseSignature,
  toHex,
  Ss58Cache,
  secretOf,
  makeSigner,
} from './sr25519.js';
export {
  BITTENSOR_PROTOCOL_VERSION,
  btauthPayload,
  sha256Hex,
  epistulaMessage,
  epistulaSecretMessages,
  EPISTULA_SECRET_WINDOW_MS,
  type SigScheme,
  type BtAuthPayloadParts,
} from './signedMessages.js';
export type { WsRequest, WsResponse } from './wsMessages.js';
