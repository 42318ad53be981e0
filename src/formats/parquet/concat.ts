/**
 * Parquet files of the same schema joined into one, without decoding a page: each part's
 * column chunks are copied byte for byte, in order, and the footer is the first part's with
 * every part's row groups, their offsets moved to where the chunks now are. Page indexes come
 * along: column indexes are copied as they are, offset indexes (which hold file offsets) are
 * decoded, moved and written again; bloom filters are copied. The layout is arrow-rs's: the
 * row groups' chunks, then the column indexes, then the offset indexes, then the footer. So
 * a run split into shards that each wrote a part gives one file that every Parquet reader
 * (DuckDB, Polars, pyarrow) reads as one table, with the rows in the parts' order.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { SluiceError } from '../../core/errors.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import type { ThriftList } from './thrift-compact.ts';
import { decodeStruct, encodeStruct, T, ThriftStruct } from './thrift-compact.ts';

const MAGIC = new TextEncoder().encode('PAR1');
const COPY_BYTES = 8 << 20;

/** parquet.thrift field ids used here. */
const FILE = { schema: 2, numRows: 3, rowGroups: 4 } as const;
const ROW_GROUP = { columns: 1, numRows: 3, fileOffset: 5, ordinal: 7 } as const;
const CHUNK = {
  fileOffset: 2,
  metaData: 3,
  offsetIndexOffset: 4,
  offsetIndexLength: 5,
  columnIndexOffset: 6,
  columnIndexLength: 7,
} as const;
const META = {
  totalCompressedSize: 7,
  dataPageOffset: 9,
  indexPageOffset: 10,
  dictionaryPageOffset: 11,
  bloomFilterOffset: 14,
  bloomFilterLength: 15,
} as const;
const PAGE_LOCATIONS = 1;
const PAGE_OFFSET = 1;

/** A part's footer: its FileMetaData and where it starts. */
export interface ParquetFooter {
  readonly metadata: ThriftStruct;
  readonly footerStart: number;
}

/** Reads and decodes the footer of an open Parquet file. */
export async function readParquetFooter(handle: FileHandle, path: string): Promise<ParquetFooter> {
  const { size } = await handle.stat();
  const tail = await readAt(handle, size - 8, 8, path);
  const length = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (size < 12 + length || !sameBytes(tail.subarray(4), MAGIC)) {
    throw new SluiceError('FORMAT_INVALID', `${path}: not a Parquet file (no footer)`, { path });
  }
  const footerStart = size - 8 - length;
  const bytes = await readAt(handle, footerStart, length, path);
  return { metadata: decodeStruct(bytes, 0, `${path}: Parquet footer`).struct, footerStart };
}

/** Blobs copied after the data (page indexes, bloom filters) and what to point at them. */
interface Pending {
  readonly handle: FileHandle;
  readonly path: string;
  readonly offset: number;
  readonly length: number;
  readonly delta: number;
  readonly chunk: ThriftStruct;
}

/** Appends the parts, in order, to `out` (empty, just opened) as one Parquet file; returns its rows. */
export async function concatParquetFiles(parts: readonly string[], out: AtomicFile): Promise<number> {
  if (parts.length === 0) throw new SluiceError('USAGE', 'concatParquetFiles: no parts');
  const handles: FileHandle[] = [];
  try {
    const footers: ParquetFooter[] = [];
    for (const part of parts) {
      const handle = await openPart(part);
      handles.push(handle);
      footers.push(await readParquetFooter(handle, part));
    }
    checkSchemas(parts, footers);
    const totalRows = footers.reduce((sum, f) => sum + (f.metadata.int(FILE.numRows) ?? 0), 0);
    await out.write(MAGIC);
    const writer = { out, at: MAGIC.length };
    const rowGroups: ThriftStruct[] = [];
    const columnIndexes: Pending[] = [];
    const offsetIndexes: Pending[] = [];
    const bloomFilters: Pending[] = [];
    for (const [p, footer] of footers.entries()) {
      for (const group of footer.metadata.list(FILE.rowGroups)?.items ?? []) {
        const rowGroup = group as ThriftStruct;
        if (totalRows > 0 && (rowGroup.int(ROW_GROUP.numRows) ?? 0) === 0) continue;
        const pending = { handle: handles[p], path: parts[p] };
        await copyRowGroup(writer, rowGroup, pending, { columnIndexes, offsetIndexes, bloomFilters });
        rowGroup.set(ROW_GROUP.ordinal, T.I16, rowGroups.length);
        rowGroups.push(rowGroup);
      }
    }
    for (const blob of columnIndexes) {
      blob.chunk.set(CHUNK.columnIndexOffset, T.I64, BigInt(writer.at));
      await copyRange(writer, blob.handle, blob.offset, blob.length, blob.path);
    }
    for (const blob of offsetIndexes) await writeMovedOffsetIndex(writer, blob);
    for (const blob of bloomFilters) {
      blob.chunk.struct(CHUNK.metaData)?.set(META.bloomFilterOffset, T.I64, BigInt(writer.at));
      await copyRange(writer, blob.handle, blob.offset, blob.length, blob.path);
    }
    const metadata = footers[0].metadata;
    metadata.set(FILE.numRows, T.I64, BigInt(totalRows));
    metadata.set(FILE.rowGroups, T.LIST, {
      kind: 'list',
      type: T.LIST,
      elementType: T.STRUCT,
      items: rowGroups,
    });
    const footer = encodeStruct(metadata);
    const tail = new Uint8Array(8);
    new DataView(tail.buffer).setUint32(0, footer.length, true);
    tail.set(MAGIC, 4);
    await out.write(footer);
    await out.write(tail);
    return totalRows;
  } finally {
    await Promise.allSettled(handles.map((h) => h.close()));
  }
}

interface Writer {
  readonly out: AtomicFile;
  at: number;
}

/** Copies a row group's column chunks and moves their offsets; queues their indexes and filters. */
async function copyRowGroup(
  writer: Writer,
  rowGroup: ThriftStruct,
  part: { handle: FileHandle; path: string },
  queues: { columnIndexes: Pending[]; offsetIndexes: Pending[]; bloomFilters: Pending[] },
): Promise<void> {
  const chunks = (rowGroup.list(ROW_GROUP.columns)?.items ?? []) as ThriftStruct[];
  chunks.forEach((chunk) => {
    if (chunk.get(1) !== undefined)
      throw new SluiceError('FORMAT_UNSUPPORTED', `${part.path}: column chunks in other files`);
  });
  for (const [c, chunk] of chunks.entries()) {
    const meta = chunk.struct(CHUNK.metaData);
    if (!meta)
      throw new SluiceError(
        'FORMAT_UNSUPPORTED',
        `${part.path}: a column chunk without metadata (encrypted?)`,
      );
    const dataAt = meta.int(META.dataPageOffset) ?? 0;
    const dictionaryAt = meta.int(META.dictionaryPageOffset);
    const start =
      dictionaryAt !== undefined && dictionaryAt > 0 && dictionaryAt < dataAt ? dictionaryAt : dataAt;
    const length = meta.int(META.totalCompressedSize) ?? 0;
    const delta = writer.at - start;
    if (c === 0 && rowGroup.get(ROW_GROUP.fileOffset) !== undefined) {
      rowGroup.set(ROW_GROUP.fileOffset, T.I64, BigInt(writer.at));
    }
    await copyRange(writer, part.handle, start, length, part.path);
    for (const id of [META.dataPageOffset, META.indexPageOffset, META.dictionaryPageOffset]) {
      const at = meta.int(id);
      if (at !== undefined && at > 0) meta.set(id, T.I64, BigInt(at + delta));
    }
    const fileOffset = chunk.int(CHUNK.fileOffset);
    if (fileOffset !== undefined && fileOffset > 0)
      chunk.set(CHUNK.fileOffset, T.I64, BigInt(fileOffset + delta));
    queue(chunk, CHUNK.columnIndexOffset, CHUNK.columnIndexLength, part, delta, queues.columnIndexes);
    queue(chunk, CHUNK.offsetIndexOffset, CHUNK.offsetIndexLength, part, delta, queues.offsetIndexes);
    queue(meta, META.bloomFilterOffset, META.bloomFilterLength, part, delta, queues.bloomFilters, chunk);
  }
}

/** Queues a blob (offset and length fields of `holder`); one without a length is dropped. */
function queue(
  holder: ThriftStruct,
  offsetId: number,
  lengthId: number,
  part: { handle: FileHandle; path: string },
  delta: number,
  into: Pending[],
  chunk: ThriftStruct = holder,
): void {
  const offset = holder.int(offsetId);
  if (offset === undefined) return;
  const length = holder.int(lengthId);
  if (length === undefined) {
    holder.delete(offsetId);
    return;
  }
  into.push({ ...part, offset, length, delta, chunk });
}

/** An offset index holds the file offset of each page: decoded, moved by the chunk's delta, written. */
async function writeMovedOffsetIndex(writer: Writer, blob: Pending): Promise<void> {
  const bytes = await readAt(blob.handle, blob.offset, blob.length, blob.path);
  const index = decodeStruct(bytes, 0, `${blob.path}: offset index`).struct;
  for (const location of (index.list(PAGE_LOCATIONS) as ThriftList | undefined)?.items ?? []) {
    const page = location as ThriftStruct;
    const at = page.int(PAGE_OFFSET);
    if (at !== undefined) page.set(PAGE_OFFSET, T.I64, BigInt(at + blob.delta));
  }
  const moved = encodeStruct(index);
  blob.chunk.set(CHUNK.offsetIndexOffset, T.I64, BigInt(writer.at));
  blob.chunk.set(CHUNK.offsetIndexLength, T.I32, moved.length);
  await writer.out.write(moved);
  writer.at += moved.length;
}

function checkSchemas(parts: readonly string[], footers: readonly ParquetFooter[]): void {
  const schemaOf = (footer: ParquetFooter) => {
    const holder = new ThriftStruct();
    const schema = footer.metadata.get(FILE.schema);
    if (schema !== undefined) holder.set(FILE.schema, T.LIST, schema);
    return encodeStruct(holder);
  };
  const first = schemaOf(footers[0]);
  footers.forEach((footer, i) => {
    if (!sameBytes(schemaOf(footer), first)) {
      throw new SluiceError('FORMAT_INVALID', `${parts[i]}: its schema differs from ${parts[0]}'s`, {
        path: parts[i],
      });
    }
  });
}

async function copyRange(writer: Writer, handle: FileHandle, offset: number, length: number, path: string) {
  const buffer = new Uint8Array(Math.min(COPY_BYTES, Math.max(length, 1)));
  for (let done = 0; done < length;) {
    const n = Math.min(buffer.length, length - done);
    const bytes = await readInto(handle, buffer.subarray(0, n), offset + done, path);
    await writer.out.write(bytes);
    done += n;
  }
  writer.at += length;
}

async function readAt(handle: FileHandle, offset: number, length: number, path: string): Promise<Uint8Array> {
  return readInto(handle, new Uint8Array(length), offset, path);
}

async function readInto(
  handle: FileHandle,
  into: Uint8Array,
  offset: number,
  path: string,
): Promise<Uint8Array> {
  if (offset < 0)
    throw new SluiceError('FORMAT_INVALID', `${path}: an offset before the file's start`, { path });
  for (let done = 0; done < into.length;) {
    const { bytesRead } = await handle.read(into, done, into.length - done, offset + done);
    if (bytesRead === 0) {
      throw new SluiceError('IO_SHORT_READ', `${path}: ends before byte ${offset + into.length}`, { path });
    }
    done += bytesRead;
  }
  return into;
}

async function openPart(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new SluiceError('IO_READ', `${path}: ${(error as Error).message}`, { path, cause: error });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
