import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { dafBase } from '../formats/daf/format.ts';
import { checkDenseSize, denseTable, readDafYaml } from '../formats/daf/reader.ts';
import { openSparse, SPARSE_BATCH_BYTES, SPARSE_MAX_WIDTH } from '../formats/daf/sparse-reader.ts';
import { checkRowOrder, MAX_TABLE_COLUMNS } from '../io/table-reader.ts';
import { fileSourceFields, openTableFile } from '../adapters/file-params.ts';

const params = z
  .object({
    ...fileSourceFields,
    path: z
      .string()
      .min(1)
      .describe('The array: its base path or its `.yaml` (`m` or `m.yaml` for m.yaml + m.array).'),
    matrix: z
      .enum(['columns', 'vector'])
      .default('columns')
      .describe(
        'A 2-D (rows, k) array as k columns c0 … c(k-1) (as the npy source), or as one width-k column `value`.',
      ),
  })
  .strict()
  .describe(
    'Reads a DataAxesFormats (daf) array: dense (`.yaml` + `.array`, little-endian row-major; 1-D as column ' +
      '`value`) or sparse CSR (`.yaml` + `.data`, `.indices`, `.indptr`), whose rows are delivered dense: ' +
      'repeated column indices within a row are added, as scipy and Julia do. ' +
      `As columns c0 … a matrix may have at most ${MAX_TABLE_COLUMNS} columns; a sparse one read as \`matrix: vector\` at most ${SPARSE_MAX_WIDTH}, ` +
      `and one batch of its dense rows (look-back included) at most ${SPARSE_BATCH_BYTES} bytes (lower chunkRows for wide rows). ` +
      'File sizes, indptr (from 0 to nnz, never decreasing) and column indices are checked before use.',
  );

export type DafSourceParams = z.output<typeof params>;

export default defineStage({
  name: 'daf',
  kind: 'source',
  params,
  extensions: ['.yaml'],
  inputs: (p) => [`${dafBase(p.path)}.yaml`],
  create: async (p, ctx) => {
    checkRowOrder(p.startRow, p.endRow, p.path);
    const base = dafBase(p.path);
    const info = await readDafYaml(base);
    if (info.kind === 'sparse') return openSparse(p, base, info);
    const arrayPath = `${base}.array`;
    return openTableFile({ ...p, path: arrayPath }, ctx, (file) => {
      checkDenseSize(info, arrayPath, file.size);
      const { layout, totalRows } = denseTable(info, p.matrix, arrayPath);
      return { format: 'daf', layout, totalRows, details: { ...info } };
    });
  },
});
