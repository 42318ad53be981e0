/** The pandas table the HDF5 pandas tests write, as the Python fixtures make it. */
import type { Table } from './batches.ts';

/**
 * make_pandas_fixtures.py's frame of `n` rows (`frame(0, 10)` by default; check_pandas_table.py's
 * `mixed`): float32, float64, int64, int32 and a uint8 column, so records are unaligned.
 */
export function pandasFrame(n = 10): Table {
  const x = new Float32Array(n);
  const mc = new Float64Array(n);
  const pulse = new BigInt64Array(n);
  const det = new Int32Array(n);
  const u = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.fround(Math.sin(i) * 10);
    mc[i] = i * 0.25;
    pulse[i] = BigInt(i * 3);
    det[i] = i % 7;
    u[i] = i % 250;
  }
  return { 'x (nm)': x, 'mc (Da)': mc, pulse, det, u };
}
