import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { hasAptMagic } from '../formats/apt/header.ts';
import type { AptOutputColumn } from '../formats/apt/reader.ts';
import { readAptTable } from '../formats/apt/reader.ts';
import { splitSections } from '../formats/apt/split-sections.ts';
import { columnsField, fileSourceFields, openTableFile } from '../adapters/file-params.ts';

const params = z
  .object({
    ...fileSourceFields,
    columns: columnsField(
      'Columns to read, in the order given; only their sections are read. Default: every readable section.',
    ),
  })
  .strict()
  .describe(
    'Reads a Cameca AP Suite .apt file (APT6): every one-to-one section of fixed-size int/uint/float records becomes columns, ' +
      "under PyCCAPT's names where one exists: Mass → `m/n (Da)`, Position → `x (nm)`, `y (nm)`, `z (nm)`, Detector Coordinates → " +
      '`det_x (mm)`, `det_y (mm)`; any other section keeps its name (`Multiplicity`; k values per record → `Name[0]` … `Name[k-1]`). ' +
      'Sections that cannot be columns are listed by `sluice inspect`, never fatal; a file without sections, ' +
      'with a section type twice or with a section past its end is refused (FORMAT_INVALID).',
  );

export type AptParams = z.output<typeof params>;

export default defineStage({
  name: 'apt',
  kind: 'source',
  params,
  extensions: ['.apt'],
  sniff: hasAptMagic,
  inputs: (p) => [p.path],
  create: async (p, ctx) => {
    let outputs: AptOutputColumn[] = [];
    const source = await openTableFile(p, ctx, async (file) => {
      const table = await readAptTable(file, p.columns, p.path);
      outputs = table.outputs;
      return { format: 'apt', layout: table.layout, totalRows: table.totalRows, details: table.details };
    });
    return splitSections(source, outputs);
  },
});
