/** A table layout without columns is a typed error, never a TypeError in the reader. */
import { describe, expect, it } from 'vitest';
import type { MappedFile } from '../../src/io/mapped-file.ts';
import { createTableSource, readBatches } from '../../src/io/table-reader.ts';

describe('a layout without columns', () => {
  const file = { path: 'f.bin', size: 0, backend: 'read' } as unknown as MappedFile;
  const layout = { kind: 'columnar' as const, columns: [] };

  it('is FORMAT_UNSUPPORTED when the source is created', () => {
    expect(() =>
      createTableSource({
        file,
        format: 'x',
        layout,
        schema: { columns: [] },
        details: {},
        totalRows: 5,
        startRow: 0,
        endRow: 5,
        chunkRows: 2,
      }),
    ).toThrow(expect.objectContaining({ code: 'FORMAT_UNSUPPORTED', path: 'f.bin' }));
  });

  it('is FORMAT_UNSUPPORTED when read directly', () => {
    expect(() =>
      readBatches(file, layout, {
        schema: { columns: [] },
        totalRows: 5,
        startRow: 0,
        endRow: 5,
        chunkRows: 2,
        overlap: 0,
      }),
    ).toThrow(expect.objectContaining({ code: 'FORMAT_UNSUPPORTED', path: 'f.bin' }));
  });
});
