import { z } from 'zod';
import type { Batch, Column } from '../core/batch.ts';
import { itemSizeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { requireColumns } from '../core/schema.ts';
import type { OpenSource, ReadOptions } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import type { AptColumnSection, AptFileHeader, AptSection } from '../formats/apt/header.ts';
import {
  APT_HEADER_BYTES,
  hasAptMagic,
  parseAptFileHeader,
  readAptSections,
  toColumnSection,
} from '../formats/apt/header.ts';
import { gatherField, HOST_LITTLE_ENDIAN } from '../io/decode.ts';
import type { MappedFile } from '../io/mapped-file.ts';
import type { ColumnarField } from '../io/table-reader.ts';
import { fileSourceFields, openTableFile } from '../adapters/file-params.ts';

const params = z
  .object({
    ...fileSourceFields,
    columns: z
      .array(z.string().min(1))
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'column names must be unique')
      .optional()
      .describe(
        'Columns to read, in the order given; only their sections are read. Default: every readable section.',
      ),
  })
  .strict()
  .describe(
    'Reads a Cameca AP Suite .apt file (APT6): every one-to-one section of fixed-size int/uint/float records becomes columns, ' +
      "under PyCCAPT's names where one exists: Mass → `m/n (Da)`, Position → `x (nm)`, `y (nm)`, `z (nm)`, Detector Coordinates → " +
      '`det_x (mm)`, `det_y (mm)`; any other section keeps its name (`Multiplicity`; k values per record → `Name[0]` … `Name[k-1]`). ' +
      'Sections that cannot be columns are listed by `sluice inspect`, never fatal.',
  );

export type AptParams = z.output<typeof params>;

/** PyCCAPT's names for the values of the sections it knows. */
const KNOWN_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  Mass: ['m/n (Da)'],
  Position: ['x (nm)', 'y (nm)', 'z (nm)'],
  'Detector Coordinates': ['det_x (mm)', 'det_y (mm)'],
};

/** One output column: value `index` of each record of the section column `section`. */
interface OutputColumn {
  readonly name: string;
  readonly section: string;
  readonly index: number;
  readonly width: number;
  readonly schema: ColumnSchema;
}

export default defineStage({
  name: 'apt',
  kind: 'source',
  params,
  extensions: ['.apt'],
  sniff: hasAptMagic,
  inputs: (p) => [p.path],
  create: async (p, ctx) => {
    let outputs: OutputColumn[] = [];
    const source = await openTableFile(p, ctx, async (file) => {
      const header = parseAptFileHeader(
        await readBytes(file, 0, Math.min(APT_HEADER_BYTES, file.size)),
        p.path,
      );
      const sections = await readAptSections((o, n) => readBytes(file, o, n), file.size, header, p.path);
      const readable: AptColumnSection[] = [];
      const sectionDetails = sections.map((s) => {
        const usable = toColumnSection(s, header.ionCount);
        if (typeof usable === 'string') return { ...describeSection(s), unsupported: usable };
        readable.push(usable);
        return { ...describeSection(s), columns: columnNamesOf(usable) };
      });
      outputs = chooseColumns(readable, p.columns, p.path);
      const used = readable.filter((s) => outputs.some((o) => o.section === s.type));
      const columns: ColumnarField[] = used.map((s) => ({
        name: s.type,
        dtype: s.dtype,
        littleEndian: true,
        width: s.width,
        fileOffset: s.dataOffset,
      }));
      const details = { ...describeHeader(header), sections: sectionDetails };
      return { format: 'apt', layout: { kind: 'columnar', columns }, totalRows: header.ionCount, details };
    });
    return splitSections(source, outputs);
  },
});

function describeHeader(h: AptFileHeader): Record<string, unknown> {
  return {
    version: h.version,
    headerSize: h.headerSize,
    fileName: h.fileName,
    creationTime: Number(h.creationTime),
    ionCount: h.ionCount,
    byteOrder: 'little',
  };
}

function describeSection(s: AptSection): Record<string, unknown> {
  return {
    type: s.type,
    offset: s.offset,
    relationship: s.relationship,
    recordType: s.recordType,
    recordDataType: s.recordDataType,
    dataTypeBits: s.dataTypeBits,
    recordSize: s.recordSize,
    unit: s.unit,
    recordCount: s.recordCount,
    byteCount: s.byteCount,
  };
}

/** The column names a readable section gives, in record order. */
export function columnNamesOf(section: Pick<AptColumnSection, 'type' | 'width'>): string[] {
  const known = KNOWN_SECTIONS[section.type];
  if (known && known.length === section.width) return [...known];
  if (section.width === 1) return [section.type];
  return Array.from({ length: section.width }, (_, j) => `${section.type}[${j}]`);
}

/** Every column of the readable sections, or those `wanted` (COLUMN_UNKNOWN naming the nearest). */
function chooseColumns(
  sections: readonly AptColumnSection[],
  wanted: readonly string[] | undefined,
  path: string,
): OutputColumn[] {
  const all: OutputColumn[] = sections.flatMap((s) =>
    columnNamesOf(s).map((name, index) => ({
      name,
      section: s.type,
      index,
      width: s.width,
      schema: { name, dtype: s.dtype, width: 1, ...(s.unit ? { unit: s.unit } : {}) },
    })),
  );
  const names = new Set<string>();
  for (const o of all) {
    if (names.has(o.name)) {
      throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: two sections give column '${o.name}'`, {
        path,
        hint: 'the file repeats a section; read it with columns: naming the ones you need is not possible either, please report it',
      });
    }
    names.add(o.name);
  }
  if (!wanted) return all;
  const schema: Schema = { columns: all.map((o) => o.schema) };
  return requireColumns(schema, wanted, 'apt').map((c) => all.find((o) => o.name === c.name)!);
}

/** A private copy of [offset, offset + length) of the file. */
async function readBytes(file: MappedFile, offset: number, length: number): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const range = await file.acquire(offset, length);
  try {
    return Uint8Array.from(range.bytes);
  } finally {
    range.release();
  }
}

/**
 * The table source reads each section as one width-k column; this splits those into the
 * named width-1 columns (a copy per batch for k > 1, a rename otherwise).
 */
function splitSections(source: OpenSource, outputs: readonly OutputColumn[]): OpenSource {
  const schema: Schema = { ...source.schema, columns: outputs.map((o) => o.schema) };
  return {
    ...source,
    schema,
    close: () => source.close(),
    batches: (options: ReadOptions) => splitBatches(source.batches(options), schema, outputs),
  };
}

async function* splitBatches(
  batches: AsyncGenerator<Batch, void, undefined>,
  schema: Schema,
  outputs: readonly OutputColumn[],
): AsyncGenerator<Batch, void, undefined> {
  for await (const batch of batches) {
    const columns: Record<string, Column> = {};
    for (const o of outputs) columns[o.name] = splitColumn(batch.columns[o.section], batch.rows, o);
    yield { ...batch, schema, columns };
  }
}

/** Value `index` of every width-k record, as a width-1 column (the column itself when k = 1). */
export function splitColumn(
  column: Column,
  rows: number,
  o: Pick<OutputColumn, 'index' | 'width' | 'schema'>,
): Column {
  if (column.width === 1) return column;
  const { data } = column;
  const size = itemSizeOf(o.schema.dtype);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const field = {
    name: o.schema.name,
    dtype: o.schema.dtype,
    littleEndian: HOST_LITTLE_ENDIAN,
    width: 1,
    offset: o.index * size,
  };
  return { data: gatherField(bytes, rows, o.width * size, field), width: 1 };
}
