/**
 * An APT file as a table: its header and section table read (header.ts), the sections that
 * can be columns chosen, and their values named as PyCCAPT names them. The table reader reads
 * each section as one width-k column; split-sections.ts turns those into the named columns.
 */
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import { requireColumns } from '../../core/schema.ts';
import { copyRange } from '../../io/copy-range.ts';
import type { MappedFile } from '../../io/mapped-file.ts';
import type { ColumnarLayout } from '../../io/table-reader.ts';
import type { AptColumnSection, AptFileHeader, AptSection } from './header.ts';
import { APT_HEADER_BYTES, parseAptFileHeader, readAptSections, toColumnSection } from './header.ts';

/** PyCCAPT's names for the values of the sections it knows. */
const KNOWN_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  Mass: ['m/n (Da)'],
  Position: ['x (nm)', 'y (nm)', 'z (nm)'],
  'Detector Coordinates': ['det_x (mm)', 'det_y (mm)'],
};

/** One output column: value `index` of each record of the section column `section`. */
export interface AptOutputColumn {
  readonly name: string;
  readonly section: string;
  readonly index: number;
  readonly width: number;
  readonly schema: ColumnSchema;
}

/** The sections to read as width-k columns, and the named columns they become. */
export interface AptTable {
  readonly layout: ColumnarLayout;
  readonly totalRows: number;
  readonly details: Record<string, unknown>;
  readonly outputs: AptOutputColumn[];
}

/** Reads the header and section table of `file`; `wanted` picks columns (default: all readable). */
export async function readAptTable(
  file: MappedFile,
  wanted: readonly string[] | undefined,
  path: string,
): Promise<AptTable> {
  const header = parseAptFileHeader(await copyRange(file, 0, Math.min(APT_HEADER_BYTES, file.size)), path);
  const sections = await readAptSections((o, n) => copyRange(file, o, n), file.size, header, path);
  const readable: AptColumnSection[] = [];
  const sectionDetails = sections.map((s) => {
    const usable = toColumnSection(s, header.ionCount);
    if (typeof usable === 'string') return { ...describeSection(s), unsupported: usable };
    readable.push(usable);
    return { ...describeSection(s), columns: columnNamesOf(usable) };
  });
  if (readable.length === 0) throw noReadableSection(sections, header.ionCount, path);
  const outputs = chooseColumns(readable, wanted, path);
  const used = readable.filter((s) => outputs.some((o) => o.section === s.type));
  const columns = used.map((s) => ({
    name: s.type,
    dtype: s.dtype,
    littleEndian: true,
    width: s.width,
    fileOffset: s.dataOffset,
  }));
  const details = { ...describeHeader(header), sections: sectionDetails };
  return { layout: { kind: 'columnar', columns }, totalRows: header.ionCount, details, outputs };
}

function noReadableSection(sections: readonly AptSection[], ionCount: number, path: string): SluiceError {
  const reasons = sections.map((s) => `'${s.type}': ${String(toColumnSection(s, ionCount))}`);
  return new SluiceError(
    'FORMAT_UNSUPPORTED',
    `${path}: none of its ${sections.length} sections can be read as columns`,
    {
      path,
      offset: sections[0]?.offset,
      hint: `sluice reads one-to-one sections of fixed-size int/uint/float records; here ${reasons.join('; ')}`,
    },
  );
}

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
export function chooseColumns(
  sections: readonly AptColumnSection[],
  wanted: readonly string[] | undefined,
  path: string,
): AptOutputColumn[] {
  const all: AptOutputColumn[] = sections.flatMap((s) =>
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
