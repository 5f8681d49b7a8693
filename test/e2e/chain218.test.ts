import { chainSuite } from './chainSuite.js';

chainSuite(218);
