/**
 * Cameca AP Suite .apt (APT6) files: a 540-byte file header, then sections, each a 148-byte
 * section header followed by its data; the next section starts at section start + header
 * size + byte count. All little-endian. Only the header and section table are parsed here;
 * the data is read by the table reader at the offsets found.
 */
import type { DType } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { NumericKind } from '../../core/numeric-dtype.ts';
import { numericDType } from '../../core/numeric-dtype.ts';

export const APT_MAGIC = [0x41, 0x50, 0x54, 0x00]; // "APT\0"
const SEC_MAGIC = [0x53, 0x45, 0x43, 0x00]; // "SEC\0"
export const APT_HEADER_BYTES = 540;
export const APT_SECTION_HEADER_BYTES = 148;

export interface AptFileHeader {
  readonly headerSize: number;
  readonly version: number;
  readonly fileName: string;
  /** Seconds since the epoch, as written. */
  readonly creationTime: bigint;
  readonly ionCount: number;
}

export interface AptSection {
  readonly type: string;
  /** File offset of the section header. */
  readonly offset: number;
  readonly headerSize: number;
  readonly version: number;
  readonly sectionVersion: number;
  /** 0 unknown, 1 one-to-one (one record per ion), 2 indexed, 3 unrelated, 4 one-to-many. */
  readonly relationship: number;
  /** 0 unknown, 1 fixed size, 2 variable size, 3 variable indexed. */
  readonly recordType: number;
  /** 1 int, 2 uint, 3 float, 4 chars, 5 other. */
  readonly recordDataType: number;
  readonly dataTypeBits: number;
  readonly recordSize: number;
  readonly unit: string;
  readonly recordCount: number;
  readonly byteCount: number;
  /** File offset of the section's data. */
  readonly dataOffset: number;
}

/** A section that becomes columns: fixed records of `width` values of `dtype` per ion. */
export interface AptColumnSection extends AptSection {
  readonly dtype: DType;
  readonly width: number;
}

export function hasAptMagic(head: Uint8Array): boolean {
  return head.length >= 4 && APT_MAGIC.every((b, i) => head[i] === b);
}

function utf16(bytes: Uint8Array, offset: number, chars: number): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + offset, 2 * chars).toString('utf16le');
  const end = text.indexOf('\0');
  return end < 0 ? text : text.slice(0, end);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A 64-bit count as a number; beyond 2^53 it cannot be a real count, so FORMAT_INVALID. */
function safeCount(value: bigint, what: string, path: string, offset: number): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SluiceError('FORMAT_INVALID', `${path}: ${what} ${value} is impossible`, {
      path,
      offset,
      hint: 'the file is corrupt or not an APT6 file',
    });
  }
  return Number(value);
}

export function parseAptFileHeader(bytes: Uint8Array, path: string): AptFileHeader {
  if (!hasAptMagic(bytes)) {
    throw new SluiceError('FORMAT_INVALID', `${path}: not an APT file (no "APT\\0" magic)`, {
      path,
      offset: 0,
      hint: 'AP Suite .apt files start with "APT\\0"; older IVAS files are .epos or .pos (type: epos or pos)',
    });
  }
  if (bytes.length < APT_HEADER_BYTES) {
    throw new SluiceError('FORMAT_INVALID', `${path}: file ends inside the APT header`, {
      path,
      offset: bytes.length,
      hint: `the header is ${APT_HEADER_BYTES} bytes; the file is truncated`,
    });
  }
  const dv = view(bytes);
  const headerSize = dv.getInt32(4, true);
  if (headerSize < APT_HEADER_BYTES) {
    throw new SluiceError(
      'FORMAT_INVALID',
      `${path}: APT header size ${headerSize} is below ${APT_HEADER_BYTES}`,
      {
        path,
        offset: 4,
        hint: 'the file is corrupt or not an APT6 file',
      },
    );
  }
  return {
    headerSize,
    version: dv.getInt32(8, true),
    fileName: utf16(bytes, 12, 256),
    creationTime: dv.getBigUint64(524, true),
    ionCount: safeCount(dv.getBigUint64(532, true), 'ion count', path, 532),
  };
}

/** One section header, read from `bytes` (at least 148 bytes) found at file offset `offset`. */
export function parseAptSectionHeader(bytes: Uint8Array, offset: number, path: string): AptSection {
  if (bytes.length < APT_SECTION_HEADER_BYTES || !SEC_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new SluiceError('FORMAT_INVALID', `${path}: no APT section header ("SEC\\0") at byte ${offset}`, {
      path,
      offset,
      hint: 'the section table is corrupt or the file is truncated',
    });
  }
  const dv = view(bytes);
  const headerSize = dv.getInt32(4, true);
  if (headerSize < APT_SECTION_HEADER_BYTES) {
    throw new SluiceError(
      'FORMAT_INVALID',
      `${path}: APT section header size ${headerSize} at byte ${offset}`,
      {
        path,
        offset: offset + 4,
        hint: `section headers are at least ${APT_SECTION_HEADER_BYTES} bytes; the file is corrupt`,
      },
    );
  }
  const byteCount = safeCount(dv.getBigInt64(140, true), 'section byte count', path, offset + 140);
  return {
    type: utf16(bytes, 12, 32),
    offset,
    headerSize,
    version: dv.getInt32(8, true),
    sectionVersion: dv.getInt32(76, true),
    relationship: dv.getUint32(80, true),
    recordType: dv.getUint32(84, true),
    recordDataType: dv.getUint32(88, true),
    dataTypeBits: dv.getInt32(92, true),
    recordSize: dv.getInt32(96, true),
    unit: utf16(bytes, 100, 16),
    recordCount: safeCount(dv.getBigInt64(132, true), 'section record count', path, offset + 132),
    byteCount,
    dataOffset: offset + headerSize,
  };
}

/**
 * Reads the section table: from the file header's end, each section header in turn, until the
 * end of the file. FORMAT_INVALID for a file with no section, a section whose data runs past
 * the end (a truncated file) and a section type that appears twice (which of the two a column
 * would read is undefined). Offsets stay exact: each is checked against the file size before
 * the next is formed from it, so none exceeds 2^53.
 */
export async function readAptSections(
  readAt: (offset: number, length: number) => Promise<Uint8Array>,
  fileSize: number,
  header: AptFileHeader,
  path: string,
): Promise<AptSection[]> {
  const sections: AptSection[] = [];
  const seen = new Map<string, number>();
  for (let offset = header.headerSize; offset < fileSize;) {
    if (offset + APT_SECTION_HEADER_BYTES > fileSize) {
      throw new SluiceError(
        'FORMAT_INVALID',
        `${path}: file ends inside a section header at byte ${offset}`,
        {
          path,
          offset,
          hint: 'the file is truncated',
        },
      );
    }
    const section = parseAptSectionHeader(await readAt(offset, APT_SECTION_HEADER_BYTES), offset, path);
    checkSectionEnd(section, fileSize, path);
    const first = seen.get(section.type);
    if (first !== undefined) {
      throw new SluiceError(
        'FORMAT_INVALID',
        `${path}: section '${section.type}' appears twice (at bytes ${first} and ${section.offset})`,
        {
          path,
          offset: section.offset,
          hint: 'an APT file holds each section type once; the file is corrupt or its exporter faulty: export it again',
        },
      );
    }
    seen.set(section.type, section.offset);
    sections.push(section);
    offset = section.dataOffset + section.byteCount;
  }
  if (sections.length === 0) throw noSections(header, fileSize, path);
  return sections;
}

/** FORMAT_INVALID unless the section's header and data end within the file. */
function checkSectionEnd(section: AptSection, fileSize: number, path: string): void {
  // dataOffset ≤ 2^53 + 2^31 and byteCount ≤ 2^53: the sum may round, but only far above any file size.
  const end = section.dataOffset + section.byteCount;
  if (section.dataOffset <= fileSize && end <= fileSize) return;
  throw new SluiceError(
    'FORMAT_INVALID',
    `${path}: section '${section.type}' needs bytes up to ${end}, the file has ${fileSize}`,
    {
      path,
      offset: section.offset,
      hint: 'the file is truncated (an interrupted copy or export); export it again',
    },
  );
}

function noSections(header: AptFileHeader, fileSize: number, path: string): SluiceError {
  const where =
    header.headerSize > fileSize
      ? `its header claims ${header.headerSize} bytes, the file has ${fileSize}`
      : `it ends after its ${header.headerSize}-byte header`;
  return new SluiceError('FORMAT_INVALID', `${path}: the APT file has no sections: ${where}`, {
    path,
    offset: Math.min(header.headerSize, fileSize),
    hint: `the header announces ${header.ionCount} ions but no section holds their data; the file is truncated or was exported without data`,
  });
}

/** Record data types 1, 2, 3. */
const RECORD_KINDS: readonly (NumericKind | undefined)[] = [undefined, 'int', 'uint', 'float'];

/**
 * How a section becomes columns, or why it cannot: it must hold one fixed-size record of
 * ints, uints or floats per ion, `recordSize` a whole number of values, `byteCount` all of them.
 */
export function toColumnSection(section: AptSection, ionCount: number): AptColumnSection | string {
  if (section.relationship !== 1)
    return `relationship type ${section.relationship} (only one-to-one, 1, is read)`;
  if (section.recordType !== 1) return `record type ${section.recordType} (only fixed-size, 1, is read)`;
  const kind = RECORD_KINDS[section.recordDataType];
  const dtype = kind && numericDType(kind, section.dataTypeBits / 8);
  if (!dtype) return `record data type ${section.recordDataType} of ${section.dataTypeBits} bits`;
  const valueBytes = section.dataTypeBits / 8;
  const width = section.recordSize / valueBytes;
  if (!Number.isInteger(width) || width < 1)
    return `record size ${section.recordSize} bytes is not whole ${valueBytes}-byte values`;
  if (section.recordCount !== ionCount) return `${section.recordCount} records for ${ionCount} ions`;
  if (section.byteCount !== section.recordCount * section.recordSize) {
    return `byte count ${section.byteCount} is not ${section.recordCount} records × ${section.recordSize} bytes`;
  }
  return { ...section, dtype, width };
}
