export { Devnet, startDevnet, defaultChainspec, type DevnetOpts, type RegisterNeuronOpts } from './devnet.js';
export { buildCall, hasCall, sudo, type SignedTx, type Tx, type TxOutcome } from './devnetCalls.js';
export { DEV_KEYS, DEVNET_ROLES, type DevKey } from './devKeys.js';
export { prepareDevnetWallets, devnetMinerConfig, writeJsonFile, freePort, type DevnetMinerConfigOpts } from './devnetFiles.js';
