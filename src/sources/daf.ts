import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { dafBase } from '../formats/daf/format.ts';
import { checkDenseSize, denseTable, readDafYaml } from '../formats/daf/reader.ts';
import { openSparse } from '../formats/daf/sparse-reader.ts';
import { checkRowOrder } from '../io/table-reader.ts';
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
      '`value`) or sparse CSR (`.yaml` + `.data`, `.indices`, `.indptr`), whose rows are delivered dense.',
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
      const { layout, totalRows } = denseTable(info, p.matrix);
      checkDenseSize(info, arrayPath, file.size);
      return { format: 'daf', layout, totalRows, details: { ...info } };
    });
  },
});
