export * from './metagraphTypes.js';
export { defineUnknownSignedExtensions } from './signedExtensions.js';
export { submitExtrinsic, dispatchErrorName, failureOf, rejected, chainErrorOf, type SubmitOpts, type Inclusion } from './submitExtrinsic.js';
