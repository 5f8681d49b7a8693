export * from './schema.js';
export { loadConfig, coerceString, isNonConfigEnv, NON_CONFIG_ENV, NON_CONFIG_ENV_PREFIXES, type LoadConfigOptions } from './load.js';
export { redactConfig, redactUrl } from './redact.js';
export { resolveEndpoints } from './endpoints.js';
export { expandHome } from './paths.js';
export { listLeaves, envNameFor, type LeafInfo, type LeafKind } from './schemaWalk.js';
export { announceWarnings, isLocalNetwork, type ConfigWarning } from './announceWarnings.js';
