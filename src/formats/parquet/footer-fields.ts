/**
 * What the Parquet reader, the writer and the assembler share about a file's frame: the magic,
 * the footer's encoding at the end of a file, the parquet.thrift field ids they use, and the
 * offsets of a column chunk (where its pages start, and moving them when the chunk moves).
 */
import type { ThriftStruct } from './thrift-compact.ts';
import { encodeStruct, T } from './thrift-compact.ts';

/** "PAR1", at both ends of a file. */
export const PARQUET_MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]);

/** parquet.thrift field ids. */
export const FILE = {
  schema: 2,
  numRows: 3,
  rowGroups: 4,
  keyValues: 5,
  createdBy: 6,
  columnOrders: 7,
} as const;
export const KEY_VALUE = { key: 1 } as const;
export const ELEMENT = { type: 1, name: 4, numChildren: 5 } as const;
export const ROW_GROUP = {
  columns: 1,
  totalByteSize: 2,
  numRows: 3,
  fileOffset: 5,
  totalCompressedSize: 6,
  ordinal: 7,
} as const;
export const CHUNK = {
  filePath: 1,
  fileOffset: 2,
  metaData: 3,
  offsetIndexOffset: 4,
  offsetIndexLength: 5,
  columnIndexOffset: 6,
  columnIndexLength: 7,
} as const;
export const META = {
  pathInSchema: 3,
  totalCompressedSize: 7,
  dataPageOffset: 9,
  indexPageOffset: 10,
  dictionaryPageOffset: 11,
  bloomFilterOffset: 14,
  bloomFilterLength: 15,
} as const;
export const PAGE_LOCATION = { list: 1, offset: 1 } as const;

/** The encoded footer and the 8 bytes after it (its length, the magic): a file's last bytes. */
export function footerBytes(metadata: ThriftStruct): [Uint8Array, Uint8Array] {
  const encoded = encodeStruct(metadata);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, encoded.length, true);
  tail.set(PARQUET_MAGIC, 4);
  return [encoded, tail];
}

/** A chunk's first byte: its dictionary page when it has one before the data, else its data. */
export function chunkStart(meta: ThriftStruct): number {
  const dictionary = meta.int(META.dictionaryPageOffset);
  const data = meta.int(META.dataPageOffset) ?? -1;
  return dictionary !== undefined && dictionary > 0 && dictionary < data ? dictionary : data;
}

/** Moves the page offsets of a chunk (and its ColumnMetaData `meta`) by `delta` bytes. */
export function moveChunkOffsets(chunk: ThriftStruct, meta: ThriftStruct, delta: number): void {
  for (const id of [META.dataPageOffset, META.indexPageOffset, META.dictionaryPageOffset]) {
    const at = meta.int(id);
    if (at !== undefined && at > 0) meta.set(id, T.I64, BigInt(at + delta));
  }
  const fileOffset = chunk.int(CHUNK.fileOffset);
  if (fileOffset !== undefined && fileOffset > 0)
    chunk.set(CHUNK.fileOffset, T.I64, BigInt(fileOffset + delta));
}
