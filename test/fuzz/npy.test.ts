/** Mutated and synthetic .npy files: typed errors or numpy's values (fuzz suite, suite.ts). */
import { fuzzSuite } from './suite.ts';

fuzzSuite('npy', 600);
