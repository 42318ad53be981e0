/**
 * Apache Parquet, the reader side. sluice reads the footer itself (row-group-file.ts: every
 * row group's rows and chunk byte ranges, checked), so a row range picks its row groups from
 * the footer and reads nothing of the others, and only the selected columns' chunks are read.
 * Each row group is then decoded by parquet-wasm (arrow-rs: zstd, snappy, gzip, lz4, brotli,
 * every encoding, INT96 and logical types) in one synchronous call on a file of just that row
 * group, and leaves WASM as Arrow IPC for apache-arrow (columns.ts). Chosen by measurement over
 * hyparquet and DuckDB's Node API (the `parquet` source's docs). A page that makes arrow-rs
 * panic traps at that call: the error is FORMAT_INVALID, and the WASM instance, whose state a
 * trap leaves undefined, is replaced by a fresh one.
 */
import type { FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { RecordBatch, Schema as ArrowSchema, Table } from 'apache-arrow';
import { SluiceError } from '../../core/errors.ts';
import type { ArrowModule, ParquetWasmModule } from '../../io/lazy.ts';
import { loadArrow } from '../../io/lazy.ts';
import { readFullyAt } from '../../io/positioned-read.ts';
import type { RowPiece } from '../../io/streamed-table.ts';
import { openReader } from '../../io/open.ts';
import type { FieldPlan, NullPolicy, ReadableField } from '../arrow/columns.ts';
import { planFields, valuesOf } from '../arrow/columns.ts';
import { PARQUET_MAGIC } from './footer-fields.ts';
import type { ParquetFooter, RowGroupFacts } from './row-group-file.ts';
import { footerLength, invalid, parseFooter, rowGroupFiles, schemaFile } from './row-group-file.ts';

export type { RowGroupFacts } from './row-group-file.ts';

/** True when `head` starts with "PAR1". */
export function hasParquetMagic(head: Uint8Array): boolean {
  return PARQUET_MAGIC.every((b, i) => head[i] === b);
}

/** Counts of what a reader decoded, for tests and `--verbose`. */
export interface DecodeCounters {
  rowGroups: number;
  rows: number;
}

export interface ParquetReader {
  readonly path: string;
  readonly schema: ArrowSchema;
  readonly fields: FieldPlan;
  readonly rowGroups: readonly RowGroupFacts[];
  readonly totalRows: number;
  readonly createdBy?: string;
  readonly metadata: ReadonlyMap<string, string>;
  readonly decoded: DecodeCounters;
  /** Pieces (record batches of at most `batchRows`) of the row groups holding [from, end). */
  pieces(
    fields: readonly ReadableField[],
    range: { from: number; end: number; batchRows: number; nulls: NullPolicy },
    signal?: AbortSignal,
  ): AsyncGenerator<RowPiece>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
let wasmInstance: ParquetWasmModule | undefined;

/** parquet-wasm; after a trap a fresh instance (its module re-evaluated: new WASM memory). */
function parquetWasm(): ParquetWasmModule {
  return (wasmInstance ??= require('parquet-wasm/node') as ParquetWasmModule);
}

function discardWasm(): void {
  delete require.cache[require.resolve('parquet-wasm/node')];
  wasmInstance = undefined;
}

/** `fn` on parquet-wasm; whatever it throws is FORMAT_INVALID (or UNSUPPORTED), a trap replaces the instance. */
function wasmCall<T>(path: string, doing: string, fn: (wasm: ParquetWasmModule) => T): T {
  try {
    return fn(parquetWasm());
  } catch (error) {
    if (isTrap(error)) discardWasm();
    if (error instanceof SluiceError) throw error;
    const said = error instanceof Error ? error.message : String(error);
    if (/not (yet )?(supported|implemented)|unsupported/i.test(said)) {
      throw new SluiceError(
        'FORMAT_UNSUPPORTED',
        `${path}: Parquet reader failed ${doing}: ${said.slice(0, 300)}`,
        {
          path,
          hint: 'the file uses a Parquet feature arrow-rs does not read',
          cause: error,
        },
      );
    }
    const err = invalid(path, 0, `${doing}: ${isTrap(error) ? 'arrow-rs panicked' : said.slice(0, 300)}`);
    throw new SluiceError(err.code, err.message, { path, hint: err.hint, cause: error });
  }
}

/** A WebAssembly trap (`unreachable` after a Rust panic, out of bounds, …). */
function isTrap(error: unknown): boolean {
  return error instanceof Error && error.name === 'RuntimeError';
}

/** Opens `path` and reads its footer; the data is read by `pieces`. */
export async function openParquetFile(path: string): Promise<ParquetReader> {
  const arrow = await loadArrow();
  return openReader(path, (handle) => describe(handle, arrow, path));
}

async function describe(handle: FileHandle, arrow: ArrowModule, path: string): Promise<ParquetReader> {
  const size = (await handle.stat()).size;
  if (size < 12) throw invalid(path, 0, `a file of ${size} bytes`);
  const readAt = async (offset: number, length: number) => {
    const out = new Uint8Array(length);
    await readFullyAt(handle, out, offset, path);
    return out;
  };
  const head = await readAt(0, 4);
  if (!hasParquetMagic(head)) throw invalid(path, 0, 'no "PAR1" at its start');
  const length = footerLength(await readAt(size - 8, 8), size, path);
  const footerStart = size - 8 - length;
  const footer = parseFooter(await readAt(footerStart, length), footerStart, path);
  const schema = wasmCall(path, 'reading the schema', (wasm) => {
    const ipc = wasm.readSchema(schemaFile(footer)).intoIPCStream();
    return arrow.tableFromIPC(ipc).schema;
  });
  const keyValues = new Map(footer.keyValues);
  keyValues.delete('ARROW:schema');
  const decoded: DecodeCounters = { rowGroups: 0, rows: 0 };
  return {
    path,
    schema,
    fields: planFields(schema),
    rowGroups: footer.rowGroups,
    totalRows: footer.totalRows,
    createdBy: footer.createdBy,
    metadata: keyValues,
    decoded,
    pieces: (fields, range, signal) =>
      readPieces({ arrow, schema, footer, path, readAt, decoded }, fields, range, signal),
    close: () => handle.close(),
  };
}

/** `fn()`; an error of a footer the checks let through is FORMAT_INVALID, not a TypeError. */
function guardFooter<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw invalid(path, 0, `its footer does not fit its data: ${(error as Error).message}`);
  }
}

/** Indexes of the row groups holding any of rows [from, end). */
export function rowGroupsFor(groups: readonly RowGroupFacts[], from: number, end: number): number[] {
  const out: number[] = [];
  groups.forEach((g, i) => {
    if (g.rows > 0 && g.start < end && g.start + g.rows > from) out.push(i);
  });
  return out;
}

/** Compressed bytes of the chunks of `fields` in the row groups holding [from, end). */
export function bytesFor(
  reader: ParquetReader,
  fields: readonly ReadableField[],
  from: number,
  end: number,
): number {
  const names = new Set(fields.map((f) => f.column.name));
  let bytes = 0;
  for (const g of rowGroupsFor(reader.rowGroups, from, end)) {
    for (const chunk of reader.rowGroups[g].chunks) if (names.has(chunk.column)) bytes += chunk.length;
  }
  return bytes;
}

interface ReadState {
  readonly arrow: ArrowModule;
  /** The whole file's Arrow schema. */
  readonly schema: ArrowSchema;
  readonly footer: ParquetFooter;
  readonly path: string;
  readonly readAt: (offset: number, length: number) => Promise<Uint8Array>;
  readonly decoded: DecodeCounters;
}

async function* readPieces(
  state: ReadState,
  fields: readonly ReadableField[],
  range: { from: number; end: number; batchRows: number; nulls: NullPolicy },
  signal: AbortSignal | undefined,
): AsyncGenerator<RowPiece> {
  const { arrow, footer, path } = state;
  const names = fields.map((f) => f.column.name);
  const selected = new Set(names);
  const arrowSchema = footer.keyValues.has('ARROW:schema')
    ? prunedArrowSchema(arrow, state.schema, names)
    : undefined;
  const rowGroupFile = guardFooter(path, () => rowGroupFiles(footer, selected, arrowSchema));
  for (const g of rowGroupsFor(footer.rowGroups, range.from, range.end)) {
    signal?.throwIfAborted();
    const group = footer.rowGroups[g];
    const bytes = await rowGroupFile(g, state.readAt).catch((error: unknown) =>
      guardFooter(path, () => {
        throw error;
      }),
    );
    const ipc = wasmCall(path, `decoding row group ${g}`, (wasm) =>
      wasm.readParquet(bytes, { columns: names, batchSize: range.batchRows }).intoIPCStream(),
    );
    const table = decodeIpc(arrow, ipc, path, g);
    let start = group.start;
    for (const batch of table.batches) {
      const piece = toPiece(batch, fields, start, range.nulls, path);
      start += piece.rows;
      state.decoded.rows += piece.rows;
      yield piece;
    }
    state.decoded.rowGroups += 1;
    if (start !== group.start + group.rows) {
      throw invalid(
        path,
        0,
        `row group ${g} decoded to ${start - group.start} rows, the footer says ${group.rows}`,
      );
    }
  }
}

/** `ARROW:schema` for the fields named: an IPC schema message (apache-arrow's), base64 as arrow-rs stores it. */
function prunedArrowSchema(arrow: ArrowModule, schema: ArrowSchema, names: readonly string[]): string {
  const fields = schema.fields.filter((f) => names.includes(f.name));
  const stream = arrow.tableToIPC(new arrow.Table(new arrow.Schema(fields, schema.metadata)), 'stream');
  return Buffer.from(stream.subarray(0, stream.length - 8)).toString('base64');
}

function decodeIpc(arrow: ArrowModule, ipc: Uint8Array, path: string, group: number): Table {
  try {
    return arrow.tableFromIPC(ipc);
  } catch (error) {
    throw invalid(
      path,
      0,
      `row group ${group} decoded to unreadable Arrow data: ${(error as Error).message}`,
    );
  }
}

/** One record batch as a piece of `fields`' values, in `fields` order (arrow-rs gives file order). */
function toPiece(
  batch: RecordBatch,
  fields: readonly ReadableField[],
  start: number,
  nulls: NullPolicy,
  path: string,
): RowPiece {
  const names = batch.schema.fields.map((f) => f.name);
  const columns = fields.map((f) => {
    const i = names.indexOf(f.column.name);
    if (i < 0) throw invalid(path, 0, `column '${f.column.name}' is missing from a row group`);
    const values = valuesOf(batch.data.children[i], f, nulls, path);
    if (values.length !== batch.numRows * f.column.width)
      throw invalid(path, 0, `column '${f.column.name}' is short`);
    return values;
  });
  return { start, rows: batch.numRows, columns };
}
