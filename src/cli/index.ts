// What other command-line composition roots built on the daemon (the validator simulator in
// packages/validator-sim) share with `subnet-miner`: the chain-facing options and the exit codes.
export { addCommonOptions, configFromOptions, type CommonOptions } from './options.js';
export { commanderExitCode, reportFatal } from './report.js';
