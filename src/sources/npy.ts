import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { hasNpyMagic } from '../formats/npy/header.ts';
import { readNpyTable } from '../formats/npy/reader.ts';
import { MAX_TABLE_COLUMNS } from '../io/table-reader.ts';
import { fileSourceFields, openTableFile } from '../adapters/file-params.ts';

const params = z
  .object({ ...fileSourceFields })
  .strict()
  .describe(
    'Reads a NumPy .npy file (format 1.0–3.0): 1-D arrays as column `value`, 2-D arrays as columns c0, c1, … ' +
      `(C or Fortran order, at most ${MAX_TABLE_COLUMNS} columns), structured arrays as one column per named field; either byte order. ` +
      'bool arrays arrive as uint8 0/1 (any non-zero byte is 1, as numpy reads it); object, string, complex, float16 and datetime arrays are refused. ' +
      'The header is checked against the file size before anything is allocated.',
  );

export type NpyParams = z.output<typeof params>;

export default defineStage({
  name: 'npy',
  kind: 'source',
  params,
  // .npz too, so that inspect and run refuse an archive with the hint to unzip it.
  extensions: ['.npy', '.npz'],
  sniff: hasNpyMagic,
  inputs: (p) => [p.path],
  create: (p, ctx) =>
    openTableFile(p, ctx, async (file) => ({ format: 'npy', ...(await readNpyTable(file, p.path)) })),
});
