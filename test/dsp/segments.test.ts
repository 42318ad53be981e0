/** Segments of a signal: reading them, keeping the head, cutting the segment column, editing rows. */
import { describe, expect, it } from 'vitest';
import {
  checkSegmentColumn,
  checkSegmentParams,
  cutSegments,
  keepHead,
  mapSegmentRows,
  readSegment,
} from '../../src/dsp/segments.ts';
import { chunkBatches, makeBatch } from '../support/batches.ts';

describe('readSegment', () => {
  it('copies from an offset as float64, from any dtype', () => {
    const out = new Float64Array(3);
    readSegment(Int16Array.from([5, -6, 7, -8]), 1, out);
    expect([...out]).toEqual([-6, 7, -8]);
    readSegment(BigInt64Array.from([1n, 2n ** 53n, 3n]), 0, out);
    expect([...out]).toEqual([1, 2 ** 53, 3]);
    readSegment(Float64Array.from([0.5, 1.5, 2.5, 3.5]), 0, out);
    expect([...out]).toEqual([0.5, 1.5, 2.5]);
  });
});

describe('keepHead', () => {
  it('keeps the first head.length new rows from the origin, whatever the chunk size', () => {
    const value = Float32Array.from({ length: 20 }, (_, i) => i * 10);
    for (const chunk of [1, 3, 7, 20]) {
      const head = new Float64Array(6);
      let kept = 0;
      for (const b of chunkBatches({ value }, chunk, { history: 5, startRow: 2 })) {
        kept = keepHead(b, b.columns.value.data, 2, head, kept);
      }
      expect(kept).toBe(6);
      expect([...head]).toEqual([20, 30, 40, 50, 60, 70]);
    }
  });
});

describe('cutSegments', () => {
  it('emits the owned segments, their first rows as t0 and the segment index as start', () => {
    const value = Int32Array.from({ length: 12 }, (_, i) => i);
    const batch = makeBatch({ value }, { start: 100, history: 4 });
    const schema = { columns: [] };
    // Segments of 5 every 3 rows from row 101; new rows 104..111 end segments 0, 1 and 2.
    const out = cutSegments(batch, 'value', { length: 5, hop: 3, origin: 101 }, schema)!;
    expect(out.start).toBe(0);
    expect(out.rows).toBe(3);
    expect([...out.columns.t0.data]).toEqual([101, 104, 107]);
    expect([...out.columns.segment.data]).toEqual([1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 7, 8, 9, 10, 11]);
    // The next batch (new rows 112..113) owns no segment: segment 3 would end at row 115.
    const next = makeBatch(
      { value: Int32Array.from({ length: 6 }, (_, i) => 108 + i) },
      { start: 108, history: 4 },
    );
    expect(cutSegments(next, 'value', { length: 5, hop: 3, origin: 101 }, schema)).toBeNull();
    expect(out.columns.segment.width).toBe(5);
  });
});

describe('segment column helpers', () => {
  it('mapSegmentRows edits a copy row by row', () => {
    const segment = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const batch = makeBatch({ segment: { data: segment, width: 3 } });
    const out = mapSegmentRows(batch, 'segment', (row) => row.reverse());
    expect([...out.columns.segment.data]).toEqual([3, 2, 1, 6, 5, 4]);
    expect([...segment]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('checkSegmentColumn wants float64, checkSegmentParams scipy’s limits', () => {
    const schema = { columns: [{ name: 'segment', dtype: 'float32' as const, width: 8 }] };
    expect(() => checkSegmentColumn(schema, 'segment', 'fft')).toThrow(/fft: column 'segment' is float32/);
    expect(() => checkSegmentParams(8, 7, 8, 'welch')).not.toThrow();
    expect(() => checkSegmentParams(8, 8, 8, 'welch')).toThrow(/noverlap 8 is not less than nperseg 8/);
    expect(() => checkSegmentParams(8, 0, 7, 'welch')).toThrow(/nfft 7 is less than nperseg 8/);
  });
});
