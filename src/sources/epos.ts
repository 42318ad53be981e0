import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import {
  bigEndianRecords,
  columnsField,
  fixedRecordTable,
  EPOS_FIELDS,
  onRemainderField,
} from '../formats/epos/records.ts';
import { chunkRowsField, fileSourceFields, openTableFile } from '../adapters/file-params.ts';

/** Default batch size of EPOS files (see the `chunkRows` description). */
export const EPOS_CHUNK_ROWS = 65536;

const params = z
  .object({
    ...fileSourceFields,
    chunkRows: chunkRowsField(
      EPOS_CHUNK_ROWS,
      ' 65536 for EPOS (2.9 MB of 44-byte records), the fastest measured for reflectron + HDF5 on a 1.2 GB file (1.85 s, 132 MiB peak RSS); 1 Mi rows took ~1.4× as long with twice the peak RSS, 16 Ki rows ~1.3× as long.',
    ),
    columns: columnsField(EPOS_FIELDS.map((f) => f.name)),
    onRemainder: onRemainderField,
  })
  .strict()
  .describe(
    "Reads a Cameca/IVAS .epos file: headerless big-endian 44-byte records x, y, z, m/n, TOF, HV_DC, pulse, det_x, det_y (float32), pslep, ipp (uint32), as PyCCAPT's columns `x (nm)`, `y (nm)`, `z (nm)`, `m/n (Da)`, `TOF (ns)`, `HV_DC (V)`, `pulse (V)`, `det_x (mm)`, `det_y (mm)`, `pslep`, `ipp`.",
  );

export type EposParams = z.output<typeof params>;

export default defineStage({
  name: 'epos',
  kind: 'source',
  params,
  extensions: ['.epos'],
  inputs: (p) => [p.path],
  create: (p, ctx) => {
    const layout = bigEndianRecords(EPOS_FIELDS, p.columns);
    return openTableFile(p, ctx, (file) => ({
      format: 'epos',
      ...fixedRecordTable(p.path, file.size, layout, 'EPOS', p.onRemainder, ctx.log),
    }));
  },
});
