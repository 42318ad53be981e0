import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import type { Schema } from '../../src/core/schema.ts';
import type { AcquireOptions, FileBytes, MappedFile } from '../../src/io/mapped-file.ts';
import type { TableLayout } from '../../src/io/table-reader.ts';
import { readBatches, resolveRowRange } from '../../src/io/table-reader.ts';
import { valuesOf } from '../sources/source-harness.ts';

/** An in-memory MappedFile that logs every call, to check what the reader asks for and frees. */
class LoggingFile implements MappedFile {
  readonly path = 'mem.bin';
  readonly backend = 'read' as const;
  readonly log: string[] = [];
  held = 0;

  constructor(private readonly content: Buffer) {}

  get size(): number {
    return this.content.length;
  }

  async acquire(offset: number, length: number, options?: AcquireOptions): Promise<FileBytes> {
    this.log.push(`acquire ${offset}+${length}${options?.reuse ? ' reuse' : ''}`);
    this.held++;
    let released = false;
    return {
      bytes: Buffer.from(this.content.subarray(offset, offset + length)),
      writable: true,
      release: () => {
        if (released) return;
        released = true;
        this.held--;
        this.log.push(`release ${offset}+${length}`);
      },
    };
  }

  prefetch(offset: number, length: number): void {
    this.log.push(`prefetch ${offset}+${length}`);
  }

  async close(): Promise<void> {}
}

const schema: Schema = { columns: [{ name: 'v', dtype: 'uint16', width: 1 }] };
/** 2-byte little-endian records after a 4-byte header: row r holds r. */
const layout: TableLayout = {
  kind: 'records',
  dataOffset: 4,
  recordSize: 2,
  fields: [{ name: 'v', dtype: 'uint16', littleEndian: true, width: 1, offset: 0 }],
};
const ROWS = 10;
const content = Buffer.concat([
  Buffer.alloc(4),
  Buffer.from(Uint16Array.from({ length: ROWS }, (_, i) => i).buffer),
]);
const base = { schema, totalRows: ROWS, startRow: 0, endRow: ROWS, chunkRows: 4, overlap: 0 };

describe('readBatches', () => {
  it('prefetches batch k+1 before yielding k, and releases k when the next is asked for', async () => {
    const file = new LoggingFile(content);
    const seen: string[] = [];
    for await (const batch of readBatches(file, layout, { ...base, overlap: 1, reuseBuffers: true })) {
      seen.push(`${batch.start}:${batch.history}:${valuesOf(batch.columns.v.data).join(',')}`);
      file.log.push('yielded');
    }
    expect(seen).toEqual(['0:0:0,1,2,3', '3:1:3,4,5,6,7', '7:1:7,8,9']);
    expect(file.log).toEqual([
      'acquire 4+8 reuse',
      'prefetch 10+10',
      'yielded',
      'release 4+8',
      'acquire 10+10 reuse',
      'prefetch 18+6',
      'yielded',
      'release 10+10',
      'acquire 18+6 reuse',
      'yielded',
      'release 18+6',
    ]);
    expect(file.held).toBe(0);
  });

  it('releases everything when the consumer stops early or the read is aborted', async () => {
    const file = new LoggingFile(content);
    for await (const batch of readBatches(file, layout, base)) if (batch.start === 4) break;
    expect(file.held).toBe(0);

    const controller = new AbortController();
    const reading = (async () => {
      for await (const _batch of readBatches(file, layout, { ...base, signal: controller.signal }))
        controller.abort();
    })();
    await expect(reading).rejects.toThrow(/abort/i);
    expect(file.held).toBe(0);
  });

  it('reports cumulative new rows and bytes', async () => {
    const seen: number[][] = [];
    const file = new LoggingFile(content);
    const options = {
      ...base,
      overlap: 3,
      onProgress: (p: { rows: number; bytes: number }) => seen.push([p.rows, p.bytes]),
    };
    for await (const _batch of readBatches(file, layout, options));
    expect(seen).toEqual([
      [4, 8],
      [8, 16],
      [10, 20],
    ]);
  });

  it('reaches before startRow for look-back, never before row 0', async () => {
    const file = new LoggingFile(content);
    const batches: Batch[] = [];
    for await (const b of readBatches(file, layout, {
      ...base,
      startRow: 5,
      endRow: 9,
      chunkRows: 2,
      overlap: 3,
    })) {
      batches.push(b);
    }
    // A shard's first batch looks back into the previous shard, so a row range processed
    // alone sees exactly what it sees inside a whole-file run (docs/design.md §2).
    expect(batches.map((b) => [b.start, b.history, b.rows])).toEqual([
      [2, 3, 5],
      [4, 3, 5],
    ]);
  });

  it('checks its options before reading anything', () => {
    const file = new LoggingFile(content);
    expect(() => readBatches(file, layout, { ...base, chunkRows: 0 })).toThrow(/chunkRows/);
    expect(() => readBatches(file, layout, { ...base, overlap: -1 })).toThrow(/overlap/);
    expect(() => readBatches(file, layout, { ...base, endRow: 11 })).toThrow(/not within/);
    expect(() => readBatches(file, layout, { ...base, startRow: 5, endRow: 4 })).toThrow(/not within/);
    expect(file.log).toEqual([]);
  });

  it('sizes the batch-size check by the rows a batch reads, not by chunkRows alone', async () => {
    // chunkRows rows of this table would exceed one Buffer; its 10 rows are one small batch.
    const huge = { ...base, chunkRows: 2 ** 40, overlap: 2 ** 40 };
    const file = new LoggingFile(content);
    const batches: Batch[] = [];
    for await (const b of readBatches(file, layout, { ...huge, startRow: 4 })) batches.push(b);
    expect(batches.map((b) => [b.start, b.history, b.rows])).toEqual([[0, 4, 10]]);
    // A batch that really is too large is still refused before anything is read.
    const wide: TableLayout = { ...layout, recordSize: 2 ** 20 };
    const many = { ...base, totalRows: 2 ** 13, endRow: 2 ** 13, chunkRows: 2 ** 12 };
    expect(() => readBatches(file, wide, { ...many, overlap: 0 })).not.toThrow();
    expect(() => readBatches(file, wide, { ...many, overlap: 2 ** 12 })).toThrow(
      expect.objectContaining({ code: 'PARAMS_INVALID', message: expect.stringMatching(/8192 rows/) }),
    );
    expect(file.log.filter((l) => !l.startsWith('acquire 4+20') && !l.startsWith('release'))).toEqual([]);
  });

  it('reads columnar layouts: one range per column, only the first prefetched', async () => {
    // Two uint16 columns of 10 rows stored one after the other from byte 4.
    const columnar: TableLayout = {
      kind: 'columnar',
      columns: [
        { name: 'a', dtype: 'uint16', littleEndian: true, width: 1, fileOffset: 4 },
        { name: 'b', dtype: 'uint16', littleEndian: false, width: 1, fileOffset: 4 + 2 * ROWS },
      ],
    };
    const values = Buffer.from(Uint16Array.from({ length: 2 * ROWS }, (_, i) => i).buffer);
    const file = new LoggingFile(Buffer.concat([Buffer.alloc(4), values]));
    const b: number[] = [];
    for await (const batch of readBatches(file, columnar, { ...base, chunkRows: 6 })) {
      b.push(...Array.from(batch.columns.b.data as Uint16Array));
    }
    expect(b).toEqual(Array.from({ length: ROWS }, (_, i) => ((10 + i) << 8) & 0xffff));
    expect(file.log.filter((l) => l.startsWith('prefetch'))).toEqual(['prefetch 16+8']);
    expect(file.held).toBe(0);
  });
});

describe('resolveRowRange', () => {
  it('clamps endRow and refuses impossible ranges', () => {
    expect(resolveRowRange(10, 0, undefined, 'p')).toEqual({ startRow: 0, endRow: 10 });
    expect(resolveRowRange(10, 3, 99, 'p')).toEqual({ startRow: 3, endRow: 10 });
    expect(resolveRowRange(10, 10, undefined, 'p')).toEqual({ startRow: 10, endRow: 10 });
    expect(() => resolveRowRange(10, 11, undefined, 'p')).toThrow(/beyond/);
    expect(() => resolveRowRange(10, 5, 4, 'p')).toThrow(/after endRow/);
  });
});
