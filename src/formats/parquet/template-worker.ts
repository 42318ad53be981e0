/**
 * parquet-wasm's Parquet file of a schema and no rows, made on a short-lived worker thread
 * (core/worker-call.ts): the footer sluice gives the row groups it encodes itself
 * (direct-row-group.ts). apache-arrow and parquet-wasm cost the process 38 MB once loaded;
 * on this thread they go away with it.
 */
import { allocArray } from '../../core/dtype.ts';
import type { RowGroupSpec } from './row-group.ts';
import { RowGroupEncoder } from './row-group.ts';

export default async function parquetTemplate(spec: RowGroupSpec): Promise<Uint8Array> {
  const encoder = await RowGroupEncoder.load(spec);
  const empty = spec.columns.map((column) => ({ column, data: allocArray(column.dtype, 0) }));
  return encoder.encode(encoder.ipc(empty, 0));
}
