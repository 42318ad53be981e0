import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import {
  bigEndianRecords,
  columnsField,
  fixedRecordTable,
  onRemainderField,
  POS_FIELDS,
} from '../formats/epos/records.ts';
import { fileSourceFields, openTableFile } from '../adapters/file-params.ts';

const params = z
  .object({
    ...fileSourceFields,
    columns: columnsField(POS_FIELDS.map((f) => f.name)),
    onRemainder: onRemainderField,
  })
  .strict()
  .describe(
    'Reads a .pos file: headerless big-endian 16-byte records of float32 x, y, z, m/n as `x (nm)`, `y (nm)`, `z (nm)`, `m/n (Da)`.',
  );

export default defineStage({
  name: 'pos',
  kind: 'source',
  params,
  extensions: ['.pos'],
  inputs: (p) => [p.path],
  create: (p, ctx) => {
    const layout = bigEndianRecords(POS_FIELDS, p.columns);
    return openTableFile(p, ctx, (file) => ({
      format: 'pos',
      ...fixedRecordTable(p.path, file.size, layout, 'POS', p.onRemainder, ctx.log),
    }));
  },
});
