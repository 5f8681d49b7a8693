// The client side of the wire: a dendrite that queries axons in every form the axon serves, and
// the request builders it (and the benches and tests that forge requests) use. Used by the
// daemon's `query` command and by the validator simulator (packages/validator-sim).
export { Dendrite, type DendriteForm, type DendriteQuery, type DendriteAnswer, type RawHttpAnswer } from './dendrite.js';
export { buildHttpRequest, buildWsFrame, type Forge, type BuiltHttpRequest } from './dendriteRequests.js';
export {
  buildBtAuthRequest,
  buildEpistulaRequest,
  signerOf,
  schemeOf,
  type SignedHttpRequest,
  type BtAuthRequestOpts,
  type EpistulaRequestOpts,
  type BtAuthForge,
  type EpistulaForge,
} from './signedHttpRequests.js';
