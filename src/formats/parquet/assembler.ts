/**
 * One Parquet file assembled from parts of the same schema without decoding a page: each
 * part's column chunks are copied byte for byte, in order, as the parts arrive, and the footer
 * is the first part's with every part's row groups, their offsets moved to where the chunks
 * now are. Page indexes come along: column indexes are copied as they are, offset indexes
 * (which hold file offsets) are moved; bloom filters are copied. They are small, so they are
 * kept in memory until `finish` writes them after the data, as arrow-rs lays a file out: the
 * row groups' chunks, then the column indexes, then the offset indexes, then the footer.
 *
 * A part is a whole Parquet file, read through `PartBytes`: a file on disk (concat.ts joins a
 * sharded run's parts) or bytes in memory (writer.ts joins row groups encoded on workers).
 */
import { SluiceError } from '../../core/errors.ts';
import { concatBytes } from '../../io/concat-bytes.ts';
import type { EncodedStruct, ThriftList } from './thrift-compact.ts';
import { decodeStruct, encodeStruct, listOf, T, ThriftStruct } from './thrift-compact.ts';

import {
  CHUNK,
  chunkStart,
  FILE,
  footerBytes,
  KEY_VALUE,
  META,
  moveChunkOffsets,
  PAGE_LOCATION,
  PARQUET_MAGIC,
  ROW_GROUP,
} from './footer-fields.ts';

export { FILE, PARQUET_MAGIC } from './footer-fields.ts';

/** Where a part's bytes come from. */
export interface PartBytes {
  /** Names the part in messages. */
  readonly path: string;
  readonly size: number;
  /**
   * Bytes at `offset`: all `length` of them (a view) for a part in memory; from a file at
   * least one and at most a buffer's worth, in a buffer reused by the next call.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** The bytes of a part in memory. */
export function bytesPart(bytes: Uint8Array, path: string): PartBytes {
  return {
    path,
    size: bytes.byteLength,
    read: (offset, length) => {
      if (offset < 0 || offset + length > bytes.byteLength) {
        return Promise.reject(
          new SluiceError('FORMAT_INVALID', `${path}: a range outside the part`, { path }),
        );
      }
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
}

/** A part's footer: its FileMetaData and where it starts. */
export interface ParquetFooter {
  readonly metadata: ThriftStruct;
  readonly footerStart: number;
}

/** Reads and decodes a part's footer. */
export async function readFooter(part: PartBytes): Promise<ParquetFooter> {
  const { path, size } = part;
  const tail = size >= 12 ? await readAll(part, size - 8, 8) : new Uint8Array(8);
  const length = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (size < 12 + length || !sameBytes(tail.subarray(4), PARQUET_MAGIC)) {
    throw new SluiceError('FORMAT_INVALID', `${path}: not a Parquet file (no footer)`, { path });
  }
  const footerStart = size - 8 - length;
  const bytes = await readAll(part, footerStart, length);
  return { metadata: decodeStruct(bytes, 0, `${path}: Parquet footer`).struct, footerStart };
}

/** The encoded schema list of a footer, to compare parts' schemas byte for byte. */
export function schemaBytes(metadata: ThriftStruct): Uint8Array {
  const holder = new ThriftStruct();
  const schema = metadata.get(FILE.schema);
  if (schema !== undefined) holder.set(FILE.schema, T.LIST, schema);
  return encodeStruct(holder);
}

/**
 * A blob written after the data, and the field that will point at it: field `offsetId` of
 * chunk `chunk` of row group `rowGroup` (of its ColumnMetaData when `inMeta`).
 */
interface Blob {
  readonly bytes: Uint8Array;
  readonly rowGroup: number;
  readonly chunk: number;
  readonly inMeta: boolean;
  readonly offsetId: number;
}

/** Where the assembled bytes go, in order (an AtomicFile, or a WriteBehind over one). */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Appends parts to `out` (empty, just opened), in order; `finish` writes the footer. */
export class ParquetAssembler {
  private at = 0;
  private rows = 0;
  private metadata?: ThriftStruct;
  private schema?: { bytes: Uint8Array; path: string };
  /**
   * The row groups so far, encoded: as decoded structs they took about 4 KB a column chunk,
   * so the footer of a long run grew the process by hundreds of MB. Their blobs' offsets are
   * set at the end, when the blobs' place is known.
   */
  private readonly rowGroups: Uint8Array[] = [];
  private readonly columnIndexes: Blob[] = [];
  private readonly offsetIndexes: Blob[] = [];
  private readonly bloomFilters: Blob[] = [];

  constructor(private readonly out: ByteSink) {}

  /** Copies the part's non-empty row groups; its schema must be the first part's. */
  async append(part: PartBytes, footer?: ParquetFooter): Promise<void> {
    const { metadata } = footer ?? (await readFooter(part));
    this.checkSchema(part.path, metadata);
    if (this.at === 0) await this.write(PARQUET_MAGIC);
    this.metadata ??= metadata;
    for (const group of metadata.list(FILE.rowGroups)?.items ?? []) {
      const rowGroup = group as ThriftStruct;
      const rows = rowGroup.int(ROW_GROUP.numRows) ?? 0;
      if (rows === 0) continue;
      await this.copyRowGroup(rowGroup, part);
      rowGroup.set(ROW_GROUP.ordinal, T.I16, this.rowGroups.length);
      this.rowGroups.push(encodeStruct(rowGroup));
      this.rows += rows;
    }
    // The first part's footer stays as the file's: without its row groups, which are above.
    this.metadata.delete(FILE.rowGroups);
  }

  /** Writes the indexes, the filters and the footer; returns the rows. */
  async finish(): Promise<number> {
    if (!this.metadata) throw new SluiceError('USAGE', 'ParquetAssembler: no parts');
    // Thousands of small blobs (an offset index per chunk): placed here, written in one go.
    const blobs = [...this.columnIndexes, ...this.offsetIndexes, ...this.bloomFilters];
    const placed: { blob: Blob; at: number }[][] = this.rowGroups.map(() => []);
    let at = this.at;
    for (const blob of blobs) {
      placed[blob.rowGroup].push({ blob, at });
      at += blob.bytes.length;
    }
    if (blobs.length > 0) await this.write(concatBytes(blobs.map((blob) => blob.bytes)));
    const metadata = this.metadata;
    sortKeyValueMetadata(metadata);
    metadata.set(FILE.numRows, T.I64, BigInt(this.rows));
    const rowGroups = this.rowGroups.map((bytes, i): EncodedStruct => ({
      kind: 'encoded',
      bytes: withBlobOffsets(bytes, placed[i]),
    }));
    metadata.set(FILE.rowGroups, T.LIST, listOf(T.STRUCT, rowGroups));
    for (const bytes of footerBytes(metadata)) await this.write(bytes);
    return this.rows;
  }

  /** Refuses a part whose schema is not the first checked one's. */
  checkSchema(path: string, metadata: ThriftStruct): void {
    const bytes = schemaBytes(metadata);
    if (!this.schema) this.schema = { bytes, path };
    else if (!sameBytes(bytes, this.schema.bytes)) {
      throw new SluiceError('FORMAT_INVALID', `${path}: its schema differs from ${this.schema.path}'s`, {
        path,
      });
    }
  }

  /**
   * Copies a row group's column chunks and moves their offsets; keeps their indexes and filters.
   * Chunks that follow one another in the part (every writer lays them out so) are copied in
   * one write: one per chunk cost 15 writes a row group.
   */
  private async copyRowGroup(rowGroup: ThriftStruct, part: PartBytes): Promise<void> {
    const chunks = (rowGroup.list(ROW_GROUP.columns)?.items ?? []) as ThriftStruct[];
    for (const chunk of chunks) {
      if (chunk.get(CHUNK.filePath) !== undefined)
        throw new SluiceError('FORMAT_UNSUPPORTED', `${part.path}: column chunks in other files`);
    }
    let run: { start: number; length: number } | undefined;
    for (const [c, chunk] of chunks.entries()) {
      const meta = chunk.struct(CHUNK.metaData);
      if (!meta)
        throw new SluiceError(
          'FORMAT_UNSUPPORTED',
          `${part.path}: a column chunk without metadata (encrypted?)`,
        );
      const start = chunkStart(meta);
      const length = meta.int(META.totalCompressedSize) ?? 0;
      if (run && run.start + run.length !== start) {
        await this.copyRange(part, run.start, run.length);
        run = undefined;
      }
      // Where the chunk lands: after what is written and the run not yet copied.
      const delta = this.at + (run?.length ?? 0) - start;
      if (c === 0 && rowGroup.get(ROW_GROUP.fileOffset) !== undefined) {
        rowGroup.set(ROW_GROUP.fileOffset, T.I64, BigInt(start + delta));
      }
      run = run ? { start: run.start, length: run.length + length } : { start, length };
      moveChunkOffsets(chunk, meta, delta);
      const at = { rowGroup: this.rowGroups.length, chunk: c };
      await this.keep(part, chunk, CHUNK.columnIndexOffset, CHUNK.columnIndexLength, this.columnIndexes, at);
      const offsetIndex = await this.read(part, chunk, CHUNK.offsetIndexOffset, CHUNK.offsetIndexLength);
      if (offsetIndex) {
        const moved = movedOffsetIndex(part.path, offsetIndex, delta);
        chunk.set(CHUNK.offsetIndexLength, T.I32, moved.length);
        this.offsetIndexes.push({ bytes: moved, ...at, inMeta: false, offsetId: CHUNK.offsetIndexOffset });
      }
      await this.keep(
        part,
        meta,
        META.bloomFilterOffset,
        META.bloomFilterLength,
        this.bloomFilters,
        at,
        true,
      );
    }
    if (run) await this.copyRange(part, run.start, run.length);
  }

  /** Keeps a blob (offset and length fields of `holder`) for `at`'s chunk. */
  private async keep(
    part: PartBytes,
    holder: ThriftStruct,
    offsetId: number,
    lengthId: number,
    into: Blob[],
    at: { readonly rowGroup: number; readonly chunk: number },
    inMeta = false,
  ): Promise<void> {
    const bytes = await this.read(part, holder, offsetId, lengthId);
    if (bytes) into.push({ bytes, ...at, inMeta, offsetId });
  }

  /** The blob that fields `offsetId` and `lengthId` of `holder` point at; one without a length is dropped. */
  private async read(
    part: PartBytes,
    holder: ThriftStruct,
    offsetId: number,
    lengthId: number,
  ): Promise<Uint8Array | undefined> {
    const offset = holder.int(offsetId);
    if (offset === undefined) return undefined;
    const length = holder.int(lengthId);
    if (length === undefined) {
      holder.delete(offsetId);
      return undefined;
    }
    return readAll(part, offset, length);
  }

  private async copyRange(part: PartBytes, offset: number, length: number): Promise<void> {
    for (let done = 0; done < length;) {
      const bytes = await part.read(offset + done, length - done);
      await this.write(bytes);
      done += bytes.byteLength;
    }
  }

  private async write(bytes: Uint8Array): Promise<void> {
    await this.out.write(bytes);
    this.at += bytes.byteLength;
  }
}

/** An offset index holds the file offset of each page: decoded, moved by the chunk's delta. */
function movedOffsetIndex(path: string, bytes: Uint8Array, delta: number): Uint8Array {
  const index = decodeStruct(bytes, 0, `${path}: offset index`).struct;
  for (const location of (index.list(PAGE_LOCATION.list) as ThriftList | undefined)?.items ?? []) {
    const page = location as ThriftStruct;
    const at = page.int(PAGE_LOCATION.offset);
    if (at !== undefined) page.set(PAGE_LOCATION.offset, T.I64, BigInt(at + delta));
  }
  return encodeStruct(index);
}

/** An encoded row group with its chunks' blob offsets set. */
function withBlobOffsets(bytes: Uint8Array, placed: readonly { blob: Blob; at: number }[]): Uint8Array {
  if (placed.length === 0) return bytes;
  const rowGroup = decodeStruct(bytes, 0, 'a row group').struct;
  const chunks = (rowGroup.list(ROW_GROUP.columns)?.items ?? []) as ThriftStruct[];
  for (const { blob, at } of placed) {
    const chunk = chunks[blob.chunk];
    const holder = blob.inMeta ? chunk.struct(CHUNK.metaData) : chunk;
    holder?.set(blob.offsetId, T.I64, BigInt(at));
  }
  return encodeStruct(rowGroup);
}

/**
 * The key-value pairs in key order: arrow-rs keeps them in a hash map, whose order differs
 * from one wasm instance to the next, and a file must be the same whichever thread wrote it.
 */
export function sortKeyValueMetadata(metadata: ThriftStruct): void {
  const pairs = metadata.list(FILE.keyValues)?.items as ThriftStruct[] | undefined;
  if (!pairs) return;
  const key = (pair: ThriftStruct) => Buffer.from(pair.get(KEY_VALUE.key) as Uint8Array).toString('latin1');
  pairs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A copy of `length` bytes at `offset`. */
async function readAll(part: PartBytes, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const bytes = await part.read(offset + done, length - done);
    out.set(bytes, done);
    done += bytes.byteLength;
  }
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
