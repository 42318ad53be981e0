/**
 * Row groups sluice encodes itself (direct-row-group.ts): uncompressed, they are parquet-wasm's
 * (arrow-rs's) row groups byte for byte, statistics and page layout included, for every
 * numeric dtype and the awkward values (NaN, ±0, NaN only, extremes); with native zstd the
 * pages decompress to the same bytes, and parquet-wasm reads the values back.
 */
import { describe, expect, it } from 'vitest';
import type { DType, TypedArray } from '../../../src/core/dtype.ts';
import { allocArray, DTYPES } from '../../../src/core/dtype.ts';
import type { ColumnSchema, Schema } from '../../../src/core/schema.ts';
import { sortKeyValueMetadata } from '../../../src/formats/parquet/assembler.ts';
import { PAGE_ROWS } from '../../../src/formats/parquet/column-chunk.ts';
import { DirectRowGroupEncoder } from '../../../src/formats/parquet/direct-row-group.ts';
import type { ParquetWriteOptions } from '../../../src/formats/parquet/row-group.ts';
import { RowGroupEncoder } from '../../../src/formats/parquet/row-group.ts';
import { decodeStruct, encodeStruct } from '../../../src/formats/parquet/thrift-compact.ts';
import { loadArrow, loadNativeZstd, loadParquetWasm } from '../../../src/io/lazy.ts';

const zstd = await loadNativeZstd();

/** Values of every awkward kind for `dtype`, `rows` of them. */
function awkward(dtype: DType, rows: number, seed: number): TypedArray {
  const array = allocArray(dtype, rows);
  for (let i = 0; i < rows; i++) {
    const r = Math.sin(i * 12.9898 + seed) * 43758.5453;
    const frac = r - Math.floor(r);
    if (dtype === 'float32' || dtype === 'float64') {
      const special = [NaN, 0, -0, Infinity, -Infinity][i % 97];
      array[i] = special ?? (frac - 0.5) * 1e6;
    } else if (dtype === 'int64' || dtype === 'uint64') {
      const big = BigInt(Math.floor(frac * 2 ** 52)) * 4099n;
      (array as BigInt64Array)[i] =
        dtype === 'int64' ? BigInt.asIntN(64, big - 2n ** 62n) : BigInt.asUintN(64, big);
    } else {
      array[i] = Math.floor(frac * 2 ** 32) - 2 ** 31;
    }
  }
  return array;
}

/**
 * The file with its key-value metadata in key order: arrow-rs keeps them in a hash map, so
 * their order differs from one call to the next (the assembler sorts them in the file).
 */
function normalized(file: Uint8Array): Buffer {
  const length = new DataView(file.buffer, file.byteOffset).getUint32(file.length - 8, true);
  const start = file.length - 8 - length;
  const footer = decodeStruct(file.subarray(start, file.length - 8)).struct;
  sortKeyValueMetadata(footer);
  return Buffer.concat([file.subarray(0, start), encodeStruct(footer), file.subarray(file.length - 8)]);
}

function schemaOfColumns(columns: ColumnSchema[]): Schema {
  return { columns, sampleRate: 100, source: 'test', origin: 0 };
}

async function encodeBoth(
  arrays: TypedArray[],
  rows: number,
  compression: 'none' | 'zstd',
  statistics = true,
  floatEncoding: 'plain' | 'byte-stream-split' = 'plain',
): Promise<{ wasm: Uint8Array; direct: Uint8Array }> {
  const columns = arrays.map((array, i) => ({ name: `c${i}`, dtype: dtypeOfArray(array), width: 1 }));
  const schema = schemaOfColumns(columns);
  const options: ParquetWriteOptions = { rowGroupRows: rows, compression, statistics, floatEncoding };
  const encoder = await RowGroupEncoder.load({ columns, schema, options });
  const chunks = (n: number) => columns.map((column, i) => ({ column, data: arrays[i].subarray(0, n) }));
  const wasm = await encoder.encode(encoder.ipc(chunks(rows), rows));
  const template = await encoder.encode(encoder.ipc(chunks(0), 0));
  const direct = await DirectRowGroupEncoder.create({ columns, schema, options, template }, zstd);
  return { wasm, direct: direct.encode(arrays, rows) };
}

function dtypeOfArray(array: TypedArray): DType {
  const name = array.constructor.name;
  return DTYPES.find((d) => allocArray(d, 0).constructor.name === name)!;
}

describe('direct row groups', () => {
  it.each([1, 7, PAGE_ROWS, PAGE_ROWS + 1, 3 * PAGE_ROWS + 5])(
    'uncompressed: parquet-wasm byte for byte over every dtype (%i rows)',
    async (rows) => {
      const arrays = DTYPES.map((dtype, i) => awkward(dtype, rows, i));
      const { wasm, direct } = await encodeBoth(arrays, rows, 'none');
      expect(direct.length).toBe(wasm.length);
      expect(normalized(direct).equals(normalized(wasm))).toBe(true);
    },
  );

  it.each([7, 2 * PAGE_ROWS + 3])(
    'byte-stream-split floats: parquet-wasm byte for byte (%i rows)',
    async (rows) => {
      const arrays = DTYPES.map((dtype, i) => awkward(dtype, rows, i + 11));
      const { wasm, direct } = await encodeBoth(arrays, rows, 'none', true, 'byte-stream-split');
      expect(normalized(direct).equals(normalized(wasm))).toBe(true);
    },
  );

  it('NaN only, constant columns and no statistics match too', async () => {
    const rows = 1000;
    const nan32 = new Float32Array(rows).fill(NaN);
    const nan64 = new Float64Array(rows).fill(NaN);
    const zeros = new Float64Array(rows).fill(-0);
    const ints = new Uint32Array(rows).fill(4_000_000_000);
    for (const statistics of [true, false]) {
      const { wasm, direct } = await encodeBoth([nan32, nan64, zeros, ints], rows, 'none', statistics);
      expect(normalized(direct).equals(normalized(wasm))).toBe(true);
    }
  });

  it.skipIf(!zstd)('zstd: parquet-wasm reads the values back', async () => {
    const rows = 2 * PAGE_ROWS + 17;
    const arrays = DTYPES.map((dtype, i) => awkward(dtype, rows, i + 5));
    const { direct } = await encodeBoth(arrays, rows, 'zstd');
    const wasm = await loadParquetWasm();
    const { tableFromIPC } = await loadArrow();
    const table = tableFromIPC(wasm.readParquet(direct).intoIPCStream());
    expect(table.numRows).toBe(rows);
    arrays.forEach((array, i) => {
      const read = table.getChild(`c${i}`)!.toArray() as TypedArray;
      const readBytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
      expect(readBytes.compare(Buffer.from(array.buffer, array.byteOffset, array.byteLength))).toBe(0);
    });
  });
});
