/**
 * Arrow IPC, the reader side: the file format ("ARROW1" … footer) and the stream format, as
 * pyarrow, Polars and apache-arrow write them. Opening walks the message headers only (one
 * small read each, bodies skipped), so the rows of every record batch are known without
 * decoding any: a row range reads only the batches holding it. A batch is decoded by
 * apache-arrow from its own bytes behind the schema (and any dictionary messages); its
 * columns are views onto those bytes (columns.ts). Compressed bodies (LZ4/ZSTD, Feather's
 * default) are refused: apache-arrow has no codec for them here.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Schema as ArrowSchema } from 'apache-arrow';
import { SluiceError } from '../../core/errors.ts';
import type { ArrowModule } from '../../io/lazy.ts';
import { loadArrow } from '../../io/lazy.ts';
import { concatBytes } from '../../io/concat-bytes.ts';
import { readFullyAt } from '../../io/positioned-read.ts';
import type { RowPiece } from '../../io/streamed-table.ts';
import { openReader } from '../../io/open.ts';
import type { FieldPlan, NullPolicy, ReadableField } from './columns.ts';
import { planFields, valuesOf } from './columns.ts';
import { checkFooter, checkMessage } from './flatbuffer-check.ts';

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31] as const; // "ARROW1"
const CONTINUATION = 0xffffffff;
/** Arrow's MessageHeader ids. */
const HEADER = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;
/** Largest message metadata accepted: a flatbuffer of a few KB in practice. */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;

/** True for an Arrow IPC file ("ARROW1") or stream (a continuation marker, 0xFFFFFFFF, first). */
export function hasArrowMagic(head: Uint8Array): boolean {
  if (FILE_MAGIC.every((b, i) => head[i] === b)) return true;
  return head.length >= 8 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
}

/** One message's bytes in the file: prefix, metadata and body. */
interface MessageRange {
  readonly offset: number;
  readonly length: number;
}

export interface BatchFacts extends MessageRange {
  /** Global row of its first row. */
  readonly start: number;
  readonly rows: number;
}

export interface ArrowReader {
  readonly path: string;
  readonly format: 'file' | 'stream';
  readonly schema: ArrowSchema;
  readonly fields: FieldPlan;
  readonly batches: readonly BatchFacts[];
  readonly totalRows: number;
  /** Record batches decoded so far (tests check that a row range skips the others). */
  readonly decoded: { batches: number };
  pieces(
    fields: readonly ReadableField[],
    range: { from: number; end: number; nulls: NullPolicy },
    signal?: AbortSignal,
  ): AsyncGenerator<RowPiece>;
  close(): Promise<void>;
}

/** Opens `path` and walks its message headers; record batches are read by `pieces`. */
export async function openArrowFile(path: string): Promise<ArrowReader> {
  const arrow = await loadArrow();
  return openReader(path, (handle) => describe(arrow, handle, path));
}

async function describe(arrow: ArrowModule, handle: FileHandle, path: string): Promise<ArrowReader> {
  const size = (await handle.stat()).size;
  const head = await readAt(handle, 0, Math.min(8, size), path);
  const format = FILE_MAGIC.every((b, i) => head[i] === b) ? 'file' : 'stream';
  const end = format === 'file' ? await footerStart(handle, path, size) : size;
  const walk = await walkMessages(arrow, handle, path, {
    offset: format === 'file' ? 8 : 0,
    size: end,
    format,
  });
  // apache-arrow's file writer leaves the schema message out: its footer holds the schema.
  const schemaBytes = walk.schema
    ? await readAt(handle, walk.schema.offset, walk.schema.length, path)
    : await footerSchemaMessage(arrow, handle, path, { offset: end, length: size - 10 - end });
  const prefix = [schemaBytes];
  for (const d of walk.dictionaries) prefix.push(await readAt(handle, d.offset, d.length, path));
  const schema = decodeSchema(arrow, concatBytes(prefix), path);
  const decoded = { batches: 0 };
  const totalRows = walk.batches.reduce((n, b) => n + b.rows, 0);
  let fields: FieldPlan;
  try {
    fields = planFields(schema);
  } catch (error) {
    throw invalid(path, 0, `unreadable schema: ${(error as Error).message}`);
  }
  return {
    path,
    format,
    schema,
    fields,
    batches: walk.batches,
    totalRows,
    decoded,
    pieces: (fields, range, signal) =>
      readPieces(
        { arrow, handle, path, prefix: concatBytes(prefix), batches: walk.batches, decoded },
        fields,
        range,
        signal,
      ),
    close: () => handle.close(),
  };
}

interface Walk {
  readonly schema?: MessageRange;
  readonly dictionaries: readonly MessageRange[];
  readonly batches: readonly BatchFacts[];
}

/** Every message in [offset, size), by its header alone; stops early at end-of-stream. */
async function walkMessages(
  arrow: ArrowModule,
  handle: FileHandle,
  path: string,
  { offset, size, format }: { offset: number; size: number; format: 'file' | 'stream' },
): Promise<Walk> {
  let schema: MessageRange | undefined;
  const dictionaries: MessageRange[] = [];
  const batches: BatchFacts[] = [];
  let at = offset;
  let rows = 0;
  while (at + 4 <= size) {
    const prefix = await readAt(handle, at, Math.min(8, size - at), path);
    const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    const continued = view.getUint32(0, true) === CONTINUATION;
    if (continued && prefix.length < 8) break;
    const metaLength = continued ? view.getInt32(4, true) : view.getInt32(0, true);
    const prefixLength = continued ? 8 : 4;
    if (metaLength === 0) break; // end-of-stream
    if (metaLength < 0 || metaLength > MAX_METADATA_BYTES || at + prefixLength + metaLength > size) {
      throw invalid(path, at, `a message at byte ${at} claims ${metaLength} bytes of metadata`);
    }
    const meta = await readAt(handle, at + prefixLength, metaLength, path);
    const message = decodeMessage(arrow, meta, path, at);
    const length = prefixLength + metaLength + message.bodyLength;
    if (!Number.isSafeInteger(length) || message.bodyLength < 0 || at + length > size) {
      throw invalid(path, at, `the message at byte ${at} runs past the end of the file`);
    }
    const range = { offset: at, length };
    if (message.headerType === HEADER.Schema) schema ??= range;
    else if (!schema && format === 'stream')
      throw invalid(path, at, 'a record batch comes before the schema');
    else if (message.compressed) throw compressed(path);
    else if (message.headerType === HEADER.DictionaryBatch) dictionaries.push(range);
    else if (message.headerType === HEADER.RecordBatch) {
      batches.push({ ...range, start: rows, rows: message.rows });
      rows += message.rows;
    }
    at += length;
  }
  if (!schema && format === 'stream') throw invalid(path, offset, 'no schema message');
  return { schema, dictionaries, batches };
}

/** Where the file format's footer starts: the file ends "…footer, int32 length, ARROW1". */
async function footerStart(handle: FileHandle, path: string, size: number): Promise<number> {
  if (size < 18) throw invalid(path, 0, `an Arrow file of ${size} bytes`);
  const tail = await readAt(handle, size - 10, 10, path);
  const length = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
  if (!FILE_MAGIC.every((b, i) => tail[4 + i] === b) || length < 0 || length > size - 18) {
    throw invalid(path, size - 10, 'no footer (the file is truncated)');
  }
  return size - 10 - length;
}

interface MessageFacts {
  readonly headerType: number;
  readonly bodyLength: number;
  readonly rows: number;
  readonly compressed: boolean;
}

function decodeMessage(arrow: ArrowModule, meta: Uint8Array, path: string, at: number): MessageFacts {
  try {
    checkMessage(meta);
    const message = arrow.Message.decode(meta);
    const headerType = message.headerType as number;
    const bodyLength = Number(message.bodyLength);
    if (headerType === HEADER.RecordBatch || headerType === HEADER.DictionaryBatch) {
      const header = message.header() as unknown as {
        length?: number | bigint;
        compression?: unknown;
        data?: { length: number | bigint; compression?: unknown };
      };
      const batch = headerType === HEADER.RecordBatch ? header : header.data;
      const rows = Number(batch?.length ?? 0);
      // Every readable type takes at least a bit per row in the body.
      if (!(Number.isSafeInteger(rows) && rows >= 0 && rows <= bodyLength * 8)) {
        throw new Error(`a record batch of ${rows} rows in ${bodyLength} bytes`);
      }
      return { headerType, bodyLength, rows, compressed: batch?.compression != null };
    }
    return { headerType, bodyLength, rows: 0, compressed: false };
  } catch (error) {
    throw error instanceof SluiceError
      ? error
      : invalid(path, at, `unreadable message at byte ${at}: ${(error as Error).message}`);
  }
}

/** The schema in the file format's footer, read by apache-arrow's random-access reader (footer only). */
/**
 * The schema message of the file format, made from its footer: apache-arrow's file writer
 * leaves the message out of the body. The footer is checked (flatbuffer-check.ts) before
 * apache-arrow decodes it, and only its schema is used.
 */
async function footerSchemaMessage(
  arrow: ArrowModule,
  handle: FileHandle,
  path: string,
  footer: MessageRange,
): Promise<Uint8Array> {
  const bytes = await readAt(handle, footer.offset, footer.length, path);
  try {
    checkFooter(bytes);
    const { Footer } = await import('apache-arrow/ipc/metadata/file');
    return schemaMessage(arrow, Footer.decode(bytes).schema);
  } catch (error) {
    throw invalid(path, footer.offset, `unreadable footer: ${(error as Error).message}`);
  }
}

/** `schema` as an IPC schema message: a stream of an empty table, less its end-of-stream marker. */
function schemaMessage(arrow: ArrowModule, schema: ArrowSchema): Uint8Array {
  const stream = arrow.tableToIPC(new arrow.Table(schema), 'stream');
  return stream.subarray(0, stream.length - 8);
}

function decodeSchema(arrow: ArrowModule, bytes: Uint8Array, path: string): ArrowSchema {
  try {
    return arrow.RecordBatchReader.from(bytes).open().schema;
  } catch (error) {
    throw invalid(path, 0, `unreadable schema: ${(error as Error).message}`);
  }
}

interface ReadState {
  readonly arrow: ArrowModule;
  readonly handle: FileHandle;
  readonly path: string;
  /** The schema and dictionary messages, put before each batch's bytes to decode it. */
  readonly prefix: Uint8Array;
  readonly batches: readonly BatchFacts[];
  readonly decoded: { batches: number };
}

async function* readPieces(
  state: ReadState,
  fields: readonly ReadableField[],
  range: { from: number; end: number; nulls: NullPolicy },
  signal: AbortSignal | undefined,
): AsyncGenerator<RowPiece> {
  const { arrow, path, prefix } = state;
  for (const batch of state.batches) {
    if (batch.rows === 0 || batch.start + batch.rows <= range.from) continue;
    if (batch.start >= range.end) break;
    signal?.throwIfAborted();
    const bytes = new Uint8Array(prefix.length + batch.length + 8);
    bytes.set(prefix);
    await readFullyAt(
      state.handle,
      bytes.subarray(prefix.length, prefix.length + batch.length),
      batch.offset,
      path,
    );
    // The end-of-stream marker (0xFFFFFFFF 0) ends the bytes.
    bytes.set([0xff, 0xff, 0xff, 0xff], prefix.length + batch.length);
    const columns = decodeBatch(arrow, bytes, fields, batch, range.nulls, path);
    state.decoded.batches += 1;
    yield { start: batch.start, rows: batch.rows, columns };
  }
}

function decodeBatch(
  arrow: ArrowModule,
  bytes: Uint8Array,
  fields: readonly ReadableField[],
  facts: BatchFacts,
  nulls: NullPolicy,
  path: string,
) {
  let batch;
  try {
    const batches = [...arrow.RecordBatchReader.from(bytes)];
    batch = batches[batches.length - 1];
  } catch (error) {
    throw invalid(
      path,
      facts.offset,
      `unreadable record batch at byte ${facts.offset}: ${(error as Error).message}`,
    );
  }
  if (!batch || batch.numRows !== facts.rows) {
    throw invalid(
      path,
      facts.offset,
      `the record batch at byte ${facts.offset} did not decode to its ${facts.rows} rows`,
    );
  }
  return fields.map((f) => {
    const data = batch.data.children[f.index];
    const width = f.column.width;
    const values = valuesOf(data, f, nulls, path);
    if (values.length !== facts.rows * width) {
      throw invalid(
        path,
        facts.offset,
        `column '${f.column.name}' of the batch at byte ${facts.offset} is short`,
      );
    }
    return values;
  });
}

async function readAt(handle: FileHandle, offset: number, length: number, path: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  await readFullyAt(handle, out, offset, path);
  return out;
}

function invalid(path: string, offset: number, what: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `${path}: not a valid Arrow IPC file: ${what}`, {
    path,
    offset,
    hint: 'the file is corrupt or truncated, or not Arrow IPC (Feather v1 and Parquet are other formats)',
  });
}

function compressed(path: string): SluiceError {
  return new SluiceError('FORMAT_UNSUPPORTED', `${path}: the Arrow IPC body is compressed (LZ4 or ZSTD)`, {
    path,
    hint: "write it uncompressed: pyarrow feather.write_feather(..., compression='uncompressed'), Polars write_ipc(..., compression='uncompressed')",
  });
}
