/**
 * docs/design.md §2 for the streamed sources: a run split across worker threads, each shard
 * opening the file for its own row range (Parquet row groups and Arrow record batches it
 * skips, CSV from its indexed record on), gives exactly the single-thread result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import type { PipelineDefinition } from '../../src/pipeline/api.ts';
import { makeWriterTable } from '../support/writer-table.ts';
import { writeTableWith } from './tabular-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-tabular-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ROWS = 40_000;

describe('parquet, arrow and csv sources on worker threads', () => {
  for (const [format, file, params] of [
    ['parquet', 'table.parquet', { rowGroupRows: 3000 }],
    ['arrow', 'table.arrow', {}],
    ['csv', 'table.csv', {}],
  ] as const) {
    it(`${format}: 3 threads give exactly what 1 thread gives`, async () => {
      const path = join(dir, file);
      await writeTableWith(format, makeWriterTable(ROWS), { out: path, ...params }, 2500);
      const definition = {
        source: { type: format, path, chunkRows: 1111, columns: ['f32', 'i64', 'f64'] },
        sinks: [
          { type: 'stats' },
          { type: 'histogram', column: 'f32', bins: 31 },
          { type: 'welch', column: 'f32', nperseg: 256 },
        ],
      } as PipelineDefinition;
      const serial = await run(definition, { workers: 1 });
      const sharded = await run(definition, { workers: 3, log: () => {} });
      expect(serial.rowsRead).toBe(ROWS);
      expect(sharded.rowsRead).toBe(ROWS);
      expect(sharded.sinks.map((s) => s.result)).toEqual(serial.sinks.map((s) => s.result));
    });
  }
});
