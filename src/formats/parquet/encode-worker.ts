/**
 * A worker thread of the Parquet writer's encoder pool (encoder-pool.ts, started through
 * core/worker-entry.js): it makes each row group it is sent into a small Parquet file and
 * sends the bytes back with the task's buffers, which the writer fills again. A row group
 * comes as its columns' arrays when sluice encodes it itself (direct-row-group.ts, which needs
 * only the native zstd library here), else as Arrow IPC bytes for parquet-wasm.
 */
import type { TypedArray } from '../../core/dtype.ts';
import { arrayConstructorOf } from '../../core/dtype.ts';
import { loadNativeZstd, loadParquetWasm } from '../../io/lazy.ts';
import { serveTasks } from '../encoder-pool.ts';
import { DirectRowGroupEncoder } from './direct-row-group.ts';
import type { RowGroupSpec } from './row-group.ts';
import { encodeIpcRowGroup } from './row-group.ts';

/** A row group: its IPC stream (the first `length` bytes of `ipc`), or `rows` of each column. */
export type RowGroupTask =
  | { readonly ipc: ArrayBuffer; readonly length: number }
  | { readonly columns: readonly ArrayBuffer[]; readonly rows: number };

/** The encoded row group and the task's buffers, handed back for reuse. */
export interface RowGroupResult {
  readonly bytes: Uint8Array;
  readonly ipc?: ArrayBuffer;
  readonly columns?: readonly ArrayBuffer[];
}

export default async function encodeRowGroups(spec: RowGroupSpec): Promise<void> {
  if (spec.template) {
    const direct = await DirectRowGroupEncoder.create(spec, await loadNativeZstd());
    await serveTasks<RowGroupTask, RowGroupResult>((task) => {
      if (!('columns' in task)) throw new Error('encode-worker: an IPC task for a direct encoder');
      const bytes = direct.encode(columnArrays(spec, task.columns), task.rows);
      return {
        result: { bytes, columns: task.columns },
        transfer: [bytes.buffer as ArrayBuffer, ...task.columns],
      };
    });
    return;
  }
  const wasm = await loadParquetWasm();
  await serveTasks<RowGroupTask, RowGroupResult>((task) => {
    if (!('ipc' in task)) throw new Error('encode-worker: a columns task for parquet-wasm');
    const bytes = encodeIpcRowGroup(wasm, new Uint8Array(task.ipc, 0, task.length), spec);
    return { result: { bytes, ipc: task.ipc }, transfer: [bytes.buffer as ArrayBuffer, task.ipc] };
  });
}

/** The columns' arrays over the buffers the writer moved here. */
export function columnArrays(spec: RowGroupSpec, buffers: readonly ArrayBuffer[]): TypedArray[] {
  return spec.columns.map((column, i) => {
    const ArrayOf = arrayConstructorOf(column.dtype);
    return new ArrayOf(buffers[i], 0, buffers[i].byteLength / ArrayOf.BYTES_PER_ELEMENT);
  });
}
