export { MinerNode, type MinerNodeOpts, type MinerNodeModules } from './minerNode.js';
export { versionAsInt } from './version.js';
export { buildServingStack, type ServingStack, type ServingStackOpts, type ServingStackModules } from './servingStack.js';
