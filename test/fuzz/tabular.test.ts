/** Mutated Parquet, Arrow IPC and CSV files: typed errors or consistent reads (suite.ts). */
import { fuzzSuite } from './suite.ts';

fuzzSuite('parquet', 80);
fuzzSuite('arrow', 80);
fuzzSuite('csv', 80);
