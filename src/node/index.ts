export { MinerNode, type MinerNodeOpts, type MinerNodeModules } from './minerNode.js';
export { versionAsInt } from './version.js';
