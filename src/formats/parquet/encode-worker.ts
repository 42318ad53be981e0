/**
 * A worker thread of the Parquet writer's encoder pool (encoder-pool.ts, started through
 * core/worker-entry.js): it makes each row group it is sent (Arrow IPC bytes) into a small
 * Parquet file and sends the bytes back with the IPC buffer, which the writer fills again.
 * It loads parquet-wasm only: the main thread builds the IPC bytes.
 */
import { loadParquetWasm } from '../../io/lazy.ts';
import { serveTasks } from '../encoder-pool.ts';
import type { RowGroupSpec } from './row-group.ts';
import { encodeIpcRowGroup } from './row-group.ts';

/** A row group: its IPC stream, the first `length` bytes of `ipc`. */
export interface RowGroupTask {
  readonly ipc: ArrayBuffer;
  readonly length: number;
}

/** The encoded row group and the task's IPC buffer, handed back for reuse. */
export interface RowGroupResult {
  readonly bytes: Uint8Array;
  readonly ipc?: ArrayBuffer;
}

export default async function encodeRowGroups(spec: RowGroupSpec): Promise<void> {
  const wasm = await loadParquetWasm();
  await serveTasks<RowGroupTask, RowGroupResult>(({ ipc, length }) => {
    const bytes = encodeIpcRowGroup(wasm, new Uint8Array(ipc, 0, length), spec);
    return { result: { bytes, ipc }, transfer: [bytes.buffer as ArrayBuffer, ipc] };
  });
}
