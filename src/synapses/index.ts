export { DummySynapse, dummySynapse, defaultSynapseRegistry } from './dummySynapse.js';
export { OcrSynapse, ocrSynapseFor, type OcrSynapseOutput } from './ocrSynapse.js';
