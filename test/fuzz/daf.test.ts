/** Mutated dense and sparse (CSR) daf arrays: typed errors or their values (suite.ts). */
import { fuzzSuite } from './suite.ts';

fuzzSuite('daf-dense', 300);
fuzzSuite('daf-sparse', 300);
