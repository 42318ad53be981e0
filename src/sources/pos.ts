import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import {
  bigEndianRecords,
  columnsField,
  onRemainderField,
  POS_FIELDS,
  wholeRecordCount,
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
    return openTableFile(p, ctx, (file) => {
      const totalRows = wholeRecordCount(p.path, file.size, layout.recordSize, 'POS', p.onRemainder, ctx.log);
      const details = {
        recordBytes: layout.recordSize,
        byteOrder: 'big',
        totalRows,
        trailingBytes: file.size - totalRows * layout.recordSize,
      };
      return { format: 'pos', layout, totalRows, details };
    });
  },
});
