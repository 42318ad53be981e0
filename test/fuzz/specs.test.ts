/** Mutated pipeline specs and --set overrides, run confined to a directory: typed errors or runs (suite.ts). */
import { fuzzSuite } from './suite.ts';

fuzzSuite('spec', 400);
