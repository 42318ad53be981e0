/** The table the writer tests write: every dtype family, a NaN, and a width-3 column. */
import type { Table } from './batches.ts';

export function makeWriterTable(rows: number) {
  const f32 = new Float32Array(rows);
  const i32 = new Int32Array(rows);
  const i64 = new BigInt64Array(rows);
  const u8 = new Uint8Array(rows);
  const f64 = new Float64Array(rows);
  const seg = new Float32Array(rows * 3);
  for (let i = 0; i < rows; i++) {
    f32[i] = Math.fround(Math.sin(i) * 1000.1);
    i32[i] = ((i * 7919) % 65536) - 32768;
    i64[i] = BigInt(i) * 3_000_000_000_001n - 9_000_000_000_000_000n;
    u8[i] = i % 256;
    f64[i] = i === 5 ? NaN : 0.1 * i;
    for (let j = 0; j < 3; j++) seg[i * 3 + j] = i + j / 4;
  }
  return { f32, i32, i64, u8, f64, seg: { data: seg, width: 3 } } satisfies Table;
}
