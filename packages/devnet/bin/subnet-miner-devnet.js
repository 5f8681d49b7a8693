#!/usr/bin/env node
// Built into the repository's dist/ by the root `npm run build` (one tsc for daemon and packages).
import '../../../dist/packages/devnet/src/main.js';
