/**
 * Stand-in stages for testing the pipeline machinery on its own: a source of a ramp, a
 * transform that needs look-back, and a sink that records what it sees.
 */
import { z } from 'zod';
import type { Batch } from '../../src/core/batch.ts';
import { defineStage } from '../../src/core/stage.ts';
import type { Accumulator, OpenSource, ReadOptions } from '../../src/core/stage.ts';
import { Registry } from '../../src/core/registry.ts';
import type { Schema } from '../../src/core/schema.ts';

const rampParams = z
  .object({
    path: z.string().default('(memory)').describe('Ignored; a name for messages.'),
    rows: z.number().int().min(0).default(100).describe('Rows to produce.'),
    chunkRows: z.number().int().min(1).default(16).describe('Rows per batch.'),
    failAtRow: z.number().int().optional().describe('Throw when a batch reaches this row.'),
  })
  .strict()
  .describe('A float64 ramp 0, 1, 2, ... in column `value`.');

export const rampSource = defineStage({
  name: 'ramp',
  kind: 'source',
  params: rampParams,
  inputs: () => [],
  create: async (p) => openRamp(p),
});

function openRamp(p: z.output<typeof rampParams>): OpenSource {
  const schema: Schema = { columns: [{ name: 'value', dtype: 'float64', width: 1 }], source: p.path };
  return {
    path: p.path,
    format: 'ramp',
    schema,
    rows: p.rows,
    bytes: p.rows * 8,
    backend: 'read',
    details: {},
    async *batches(options: ReadOptions) {
      for (let start = 0; start < p.rows; start += p.chunkRows) {
        options.signal?.throwIfAborted();
        const history = Math.min(options.overlap, start);
        const end = Math.min(start + p.chunkRows, p.rows);
        if (p.failAtRow !== undefined && end > p.failAtRow) throw new Error('ramp failed on purpose');
        const data = new Float64Array(end - start + history);
        for (let i = 0; i < data.length; i++) data[i] = start - history + i;
        options.onProgress?.({ rows: end, bytes: end * 8 });
        yield {
          schema,
          columns: { value: { data, width: 1 } },
          rows: data.length,
          start: start - history,
          history,
        };
      }
    },
    close: async () => {},
  };
}

const lookbackParams = z
  .object({ rows: z.number().int().min(0).default(3).describe('Rows of look-back.') })
  .strict()
  .describe('Emits, per new row, the sum of it and the `rows` rows before it; needs `rows` of history.');

/** A moving sum over rows+1 rows: correct only if every batch brings enough history. */
export const movingSum = defineStage({
  name: 'moving-sum',
  kind: 'transform',
  params: lookbackParams,
  history: (p) => p.rows,
  create: (p) => (batch: Batch) => {
    // Rows with a full look-back are exact; at the file's start every row is. The rest of the
    // look-back is passed on as history for the stages after this one.
    const first = batch.start === 0 ? 0 : p.rows;
    const values = batch.columns.value.data as Float64Array;
    const out = new Float64Array(batch.rows - first);
    for (let i = first; i < batch.rows; i++) {
      let sum = 0;
      for (let k = Math.max(0, i - p.rows); k <= i; k++) sum += values[k];
      out[i - first] = sum;
    }
    const columns = { value: { data: out, width: 1 } };
    return {
      ...batch,
      columns,
      rows: out.length,
      start: batch.start + first,
      history: batch.history - first,
    };
  },
});

export interface Recorded {
  values: number[];
  batches: number;
}

const recordParams = z
  .object({
    into: z.string().default('default').describe('Name of the recording.'),
    needsRange: z.boolean().default(false).describe('Ask for a min/max pass first.'),
  })
  .strict()
  .describe('Records the new rows of column `value`.');

export const recordings = new Map<string, Recorded & { prepared?: unknown }>();

class MaxAccumulator implements Accumulator<number> {
  max = -Infinity;
  add(batch: Batch): void {
    const data = batch.columns.value.data as Float64Array;
    for (let i = batch.history; i < batch.rows; i++) this.max = Math.max(this.max, data[i]);
  }
  merge(other: MaxAccumulator): void {
    this.max = Math.max(this.max, other.max);
  }
  result(): number {
    return this.max;
  }
}

export const recordSink = defineStage({
  name: 'record',
  kind: 'sink',
  params: recordParams,
  outputs: () => [],
  prepare: (p) => (p.needsRange ? new MaxAccumulator() : undefined),
  create: (p, ctx) => {
    const recorded = { values: [] as number[], batches: 0, prepared: ctx.prepared };
    recordings.set(p.into, recorded);
    return {
      outputs: [],
      write(batch: Batch) {
        recorded.batches++;
        const data = batch.columns.value.data as Float64Array;
        for (let i = batch.history; i < batch.rows; i++) recorded.values.push(data[i]);
      },
      finish: async () => recorded.values.length,
      abort: async () => {},
    };
  },
});

export const mockRegistry = new Registry([rampSource, movingSum, recordSink]);
