#!/usr/bin/env node
// Built into the repository's dist/ by the root `npm run build` (one tsc for daemon and packages).
import '../../../dist/packages/validator-sim/src/main.js';
