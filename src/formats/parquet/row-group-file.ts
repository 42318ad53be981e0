/**
 * Parquet's footer read by sluice (thrift-compact.ts), checked, and one row group cut out as a
 * Parquet file of its own: "PAR1", the selected columns' chunks copied byte for byte, and the
 * footer with only that row group, its offsets moved to where the chunks now are. arrow-rs
 * then decodes the small file with a synchronous call (reader.ts), so a corrupt page that
 * makes it panic is an exception at that call, never an error thrown later in a callback.
 */
import { SluiceError } from '../../core/errors.ts';
import { concatBytes } from '../../io/concat-bytes.ts';
import type { ThriftList } from './thrift-compact.ts';
import {
  CHUNK,
  chunkStart,
  ELEMENT,
  FILE,
  footerBytes,
  META,
  moveChunkOffsets,
  PARQUET_MAGIC,
  ROW_GROUP,
} from './footer-fields.ts';
import { T, ThriftStruct, decodeStruct, encodeStruct, listOf } from './thrift-compact.ts';

/** Largest footer accepted: DuckDB's and Spark's footers are KB to a few MB. */
const MAX_FOOTER_BYTES = 256 * 1024 * 1024;

export interface ChunkRange {
  /** Top-level column the chunk belongs to (its path's first element). */
  readonly column: string;
  readonly offset: number;
  readonly length: number;
}

export interface RowGroupFacts {
  /** Global row of its first row. */
  readonly start: number;
  readonly rows: number;
  readonly chunks: readonly ChunkRange[];
}

export interface ParquetFooter {
  readonly metadata: ThriftStruct;
  readonly rowGroups: readonly RowGroupFacts[];
  readonly totalRows: number;
  readonly createdBy?: string;
  readonly keyValues: ReadonlyMap<string, string>;
}

/** The footer's length from the file's last 8 bytes ("…length, PAR1"); FORMAT_INVALID when it cannot be one. */
export function footerLength(tail: Uint8Array, size: number, path: string): number {
  const length = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (!PARQUET_MAGIC.every((b, i) => tail[4 + i] === b) || length + 12 > size || length > MAX_FOOTER_BYTES) {
    throw invalid(path, size - 8, 'no Parquet footer at the end of the file (truncated, or not Parquet)');
  }
  return length;
}

/** The decoded footer, every row group's chunks checked to lie between the magic and the footer. */
export function parseFooter(bytes: Uint8Array, footerStart: number, path: string): ParquetFooter {
  let metadata: ThriftStruct;
  try {
    metadata = decodeStruct(bytes, 0, 'footer').struct;
  } catch (error) {
    throw invalid(path, footerStart, error instanceof Error ? error.message : String(error));
  }
  checkStructs(metadata, path, footerStart);
  const rowGroups: RowGroupFacts[] = [];
  let start = 0;
  for (const item of metadata.list(FILE.rowGroups)?.items ?? []) {
    const group = item as ThriftStruct;
    const rows = group.int(ROW_GROUP.numRows) ?? -1;
    if (!(Number.isSafeInteger(rows) && rows >= 0))
      throw invalid(path, footerStart, `row group ${rowGroups.length} has ${rows} rows`);
    const chunks = (group.list(ROW_GROUP.columns)?.items ?? []).map((c) =>
      chunkRange(c as ThriftStruct, footerStart, path),
    );
    rowGroups.push({ start, rows, chunks });
    start += rows;
  }
  const keyValues = new Map<string, string>();
  for (const item of metadata.list(FILE.keyValues)?.items ?? []) {
    const kv = item as ThriftStruct;
    const key = kv.get(1);
    const value = kv.get(2);
    if (key instanceof Uint8Array) keyValues.set(text(key), value instanceof Uint8Array ? text(value) : '');
  }
  const createdBy = metadata.get(FILE.createdBy);
  return {
    metadata,
    rowGroups,
    totalRows: start,
    createdBy: createdBy instanceof Uint8Array ? text(createdBy) : undefined,
    keyValues,
  };
}

/** The lists this file walks hold structs (a corrupt footer can give any type); FORMAT_INVALID otherwise. */
function checkStructs(metadata: ThriftStruct, path: string, at: number): void {
  const structs = (list: ThriftList | undefined, what: string) => {
    const items = list?.items ?? [];
    if (!items.every((item) => item instanceof ThriftStruct))
      throw invalid(path, at, `its ${what} are not structs`);
    return items as ThriftStruct[];
  };
  structs(metadata.list(FILE.schema), 'schema elements');
  structs(metadata.list(FILE.keyValues), 'key-value pairs');
  for (const group of structs(metadata.list(FILE.rowGroups), 'row groups')) {
    for (const chunk of structs(group.list(ROW_GROUP.columns), 'column chunks')) {
      if (chunk.get(CHUNK.metaData) !== undefined && !chunk.struct(CHUNK.metaData)) {
        throw invalid(path, at, 'a column chunk’s metadata is not a struct');
      }
    }
  }
  if ((metadata.list(FILE.schema)?.items.length ?? 0) === 0) throw invalid(path, at, 'it has no schema');
}

function chunkRange(chunk: ThriftStruct, footerStart: number, path: string): ChunkRange {
  const meta = chunk.struct(CHUNK.metaData);
  if (!meta || chunk.get(CHUNK.filePath) !== undefined) {
    throw new SluiceError(
      'FORMAT_UNSUPPORTED',
      `${path}: a column chunk lies in another file or is encrypted`,
      {
        path,
        hint: 'sluice reads Parquet files whose data is in the file itself',
      },
    );
  }
  const offset = chunkStart(meta);
  const length = meta.int(META.totalCompressedSize) ?? -1;
  if (!(
    Number.isSafeInteger(offset) &&
    Number.isSafeInteger(length) &&
    offset >= 4 &&
    length >= 0 &&
    offset + length <= footerStart
  )) {
    throw invalid(
      path,
      footerStart,
      `a column chunk at byte ${offset} of ${length} bytes lies outside the data`,
    );
  }
  const first = meta.list(META.pathInSchema)?.items[0];
  return { column: first instanceof Uint8Array ? text(first) : '', offset, length };
}

/**
 * Makes row group `index` into a Parquet file of its own holding only the top-level `columns`: the
 * schema, the column orders and the chunks pruned to them, the chunks' bytes read by
 * `read(offset, length)`. arrow-rs's reader touches every chunk of a file (a projection is
 * applied after), so the others must not be there at all. The Arrow schema writers store
 * (`ARROW:schema`, which arrow-rs follows: fixed-size lists, timestamp units) is replaced by
 * `arrowSchema`, the same pruned, or dropped when the file has none.
 */
export function rowGroupFiles(
  footer: ParquetFooter,
  columns: ReadonlySet<string>,
  arrowSchema?: string,
): (index: number, read: (offset: number, length: number) => Promise<Uint8Array>) => Promise<Uint8Array> {
  // Everything but the row group is the same for each: pruned once, the row groups taken out.
  const metadata = decodeStruct(encodeStruct(footer.metadata)).struct;
  const groups = (metadata.list(FILE.rowGroups)?.items ?? []) as ThriftStruct[];
  const kept = pruneSchema(metadata, columns, arrowSchema);
  metadata.delete(FILE.rowGroups);
  return async (index, read) => {
    const group = groups[index];
    const chunks = (group.list(ROW_GROUP.columns)?.items ?? []) as ThriftStruct[];
    const facts = footer.rowGroups[index];
    const parts: Uint8Array[] = [PARQUET_MAGIC];
    const keptChunks: ThriftStruct[] = [];
    let at = PARQUET_MAGIC.length;
    for (const leaf of kept) {
      const range = facts.chunks[leaf];
      if (!range || !chunks[leaf]) throw invalid('', 0, `row group ${index} has no chunk for column ${leaf}`);
      const chunk = decodeStruct(encodeStruct(chunks[leaf])).struct;
      moveChunk(chunk, at - range.offset);
      keptChunks.push(chunk);
      parts.push(await read(range.offset, range.length));
      at += range.length;
    }
    const copy = new ThriftStruct();
    for (const [id, field] of group.fields) copy.fields.set(id, field);
    copy.set(ROW_GROUP.columns, T.LIST, listOf(T.STRUCT, keptChunks));
    copy.set(ROW_GROUP.fileOffset, T.I64, BigInt(PARQUET_MAGIC.length));
    copy.set(ROW_GROUP.totalCompressedSize, T.I64, BigInt(at - PARQUET_MAGIC.length));
    metadata.set(FILE.numRows, T.I64, BigInt(facts.rows));
    metadata.set(FILE.rowGroups, T.LIST, listOf(T.STRUCT, [copy]));
    return concatBytes([...parts, ...footerBytes(metadata)]);
  };
}

/**
 * Keeps the top-level fields named in `columns` (with their subtrees) in the schema, their
 * leaves in the column orders, `ARROW:schema` replaced by `arrowSchema`; returns the kept leaves' indexes.
 */
function pruneSchema(
  metadata: ThriftStruct,
  columns: ReadonlySet<string>,
  arrowSchema: string | undefined,
): number[] {
  const elements = (metadata.list(FILE.schema)?.items ?? []) as ThriftStruct[];
  const fields = topLevelFields(elements);
  const keep = fields.filter((f) => columns.has(f.name));
  const root = elements[0];
  root.set(ELEMENT.numChildren, T.I32, keep.length);
  const items = [root, ...keep.flatMap((f) => elements.slice(f.first, f.first + f.size))];
  metadata.set(FILE.schema, T.LIST, listOf(T.STRUCT, items));
  const leaves = keep.flatMap((f) => Array.from({ length: f.leaves }, (_, k) => f.firstLeaf + k));
  const orders = metadata.list(FILE.columnOrders);
  if (orders)
    metadata.set(FILE.columnOrders, T.LIST, { ...orders, items: leaves.map((l) => orders.items[l]) });
  const keyValues = metadata.list(FILE.keyValues);
  if (keyValues) {
    const items = keyValues.items.flatMap((kv) => {
      const key = (kv as ThriftStruct).get(1);
      if (!(key instanceof Uint8Array && text(key) === 'ARROW:schema')) return [kv];
      if (arrowSchema === undefined) return [];
      (kv as ThriftStruct).set(2, T.BINARY, new TextEncoder().encode(arrowSchema));
      return [kv];
    });
    metadata.set(FILE.keyValues, T.LIST, { ...keyValues, items });
  }
  return leaves;
}

interface TopLevelField {
  readonly name: string;
  /** Index of its element in the schema list. */
  readonly first: number;
  /** Elements in its subtree, itself included. */
  readonly size: number;
  readonly firstLeaf: number;
  readonly leaves: number;
}

/** The root's children with the extent of their subtrees (the schema is a depth-first list). */
function topLevelFields(elements: readonly ThriftStruct[]): TopLevelField[] {
  const fields: TopLevelField[] = [];
  let at = 1;
  let leaf = 0;
  const children = elements[0]?.int(ELEMENT.numChildren) ?? 0;
  for (let k = 0; k < children && at < elements.length; k++) {
    const first = at;
    const firstLeaf = leaf;
    let open = 1;
    while (open > 0 && at < elements.length) {
      const n = elements[at].int(ELEMENT.numChildren) ?? 0;
      if (n === 0) leaf++;
      open += n - 1;
      at++;
    }
    const name = elements[first].get(ELEMENT.name);
    fields.push({
      name: name instanceof Uint8Array ? text(name) : '',
      first,
      size: at - first,
      firstLeaf,
      leaves: leaf - firstLeaf,
    });
  }
  return fields;
}

/** The file's schema alone: its footer with no row groups (arrow-rs reads the schema from it). */
export function schemaFile(footer: ParquetFooter): Uint8Array {
  const metadata = decodeStruct(encodeStruct(footer.metadata)).struct;
  metadata.set(FILE.numRows, T.I64, 0n);
  metadata.set(FILE.rowGroups, T.LIST, listOf(T.STRUCT, []));
  return concatBytes([PARQUET_MAGIC, ...footerBytes(metadata)]);
}

/** Moves a chunk's page offsets by `delta`; its page indexes and bloom filter are dropped. */
function moveChunk(chunk: ThriftStruct, delta: number): void {
  const meta = chunk.struct(CHUNK.metaData) as ThriftStruct;
  moveChunkOffsets(chunk, meta, delta);
  for (const id of [
    CHUNK.offsetIndexOffset,
    CHUNK.offsetIndexLength,
    CHUNK.columnIndexOffset,
    CHUNK.columnIndexLength,
  ])
    chunk.delete(id);
  for (const id of [META.bloomFilterOffset, META.bloomFilterLength]) meta.delete(id);
}

const decoder = new TextDecoder();
function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function invalid(path: string, offset: number, what: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `${path}: not a valid Parquet file: ${what}`, {
    path,
    offset,
    hint: 'the file is corrupt or truncated (DuckDB or pyarrow would fail on it too)',
  });
}
