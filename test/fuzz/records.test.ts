/** Mutated raw, EPOS and POS files and params: typed errors or the records' values (suite.ts). */
import { fuzzSuite } from './suite.ts';

fuzzSuite('raw', 300);
fuzzSuite('epos', 250);
fuzzSuite('pos', 250);
