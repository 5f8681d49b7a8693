export { DummySynapse, dummySynapse, defaultSynapseRegistry } from './dummySynapse.js';
