export * from './metagraphTypes.js';
export { ChainClient, type ChainClientModules, type ChainClientOpts, type ChainState, type BlockEvent } from './chainClient.js';
export { MetagraphSync, type MetagraphSyncOpts, type MetagraphSyncModules } from './metagraphSync.js';
export { FrozenMetagraph, standingOf, isMinerNeuron, type Standing, type ImmunityInfo, type SnapshotInit } from './metagraphSnapshot.js';
export { readMetagraph, readImmunity, readAlphaPrice, decodeNeuronsLite, neuronFromLite, stripLengthPrefixes, type ReadOpts } from './metagraphReader.js';
export {
  ReadPlanCache,
  chooseReadPlan,
  runtimeFeatures,
  apiFeatures,
  blockTimeOf,
  API as RUNTIME_APIS,
  type ReadPath,
  type ReadPlan,
  type RuntimeFeatures,
} from './readPlan.js';
export { assembleNeurons, axonFrom, withStakes, type UidVectors, type NeuronColumns } from './metagraphColumns.js';
export { neuronsFromMetagraph, SELECTIVE_INDEXES } from './runtimeApiReader.js';
export { STORAGE_ITEMS } from './storageReader.js';
export { AxonAnnouncer, axonMatches, type AxonAnnouncerOpts, type AxonAnnouncerModules } from './axonAnnouncer.js';
export { encodeIp, decodeIp, ipv4ToInt, ipv6ToInt, type EncodedIp } from './ipEncoding.js';
export { callByName, callArgNames } from './callByName.js';
export { defineUnknownSignedExtensions, type ExtensionHost } from './signedExtensions.js';
export { submitExtrinsic, dispatchErrorName, failureOf, rejected, chainErrorOf, type SubmitOpts, type Inclusion } from './submitExtrinsic.js';
export { NEURON_INFO_LITE_TYPES, registerNeuronInfoLite } from './neuronInfoLite.js';
export { withChainApi, type OneShotOpts } from './oneShot.js';
