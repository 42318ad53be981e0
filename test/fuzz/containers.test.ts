/** Mutated APT6 and HDF5 files: typed errors or consistent reads (suite.ts). */
import { fuzzSuite } from './suite.ts';

fuzzSuite('apt', 400);
fuzzSuite('hdf5', 400);
