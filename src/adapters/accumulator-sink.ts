/**
 * Turns an Accumulator (docs/design.md §3) into a SinkInstance: every batch is added (the
 * accumulator counts only its new rows), and on finish the result is returned and, when an
 * `out` path is given, written there: as a table through the writer its extension names when
 * the sink passes `table` (result-file.ts), as JSON for .json unless the sink passes `encode`;
 * other extensions are refused (declare RESULT_EXTENSIONS as the stage's `extensions`, and
 * validation refuses them too).
 * The output is opened up front, so an existing output or an unwritable directory fails the
 * run before any data is read, and a failed or aborted run leaves nothing behind.
 */
import type { Batch } from '../core/batch.ts';
import type { Accumulator, SinkInstance } from '../core/stage.ts';
import type { ResultFile, ResultTable } from './result-file.ts';
import { openResultFile } from './result-file.ts';

export interface AccumulatorSinkOptions<R = unknown> {
  /** Path of the file to write the result to; none when absent. */
  readonly out?: string;
  readonly overwrite: boolean;
  /** The bytes written to `out`; the result as JSON (`formatJson`) when absent. */
  readonly encode?: (result: R) => Uint8Array | string;
  /** The result as a table, for `out` extensions a table writer takes (.parquet, .csv, ...). */
  readonly table?: (result: R) => ResultTable;
  /** Table-writer extensions that `encode` writes instead (e.g. a 2-D .npy). */
  readonly encoded?: readonly string[];
  /** The input file, for the table's metadata. */
  readonly source?: string;
}

/** An accumulator holding memory outside the JS heap (WASM buffers) frees it with `dispose`. */
export type DisposableAccumulator<R> = Accumulator<R> & { dispose?(): void };

export async function createAccumulatorSink<R>(
  accumulator: DisposableAccumulator<R>,
  options: AccumulatorSinkOptions<R>,
): Promise<SinkInstance<R>> {
  const file = options.out
    ? await openResultFile<R>(options.out, { ...options, encode: options.encode ?? formatJson })
    : undefined;
  return new AccumulatorSink(accumulator, file);
}

/** The JSON text of a result: two-space indented, one trailing newline. */
export function formatJson(result: unknown): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

class AccumulatorSink<R> implements SinkInstance<R> {
  readonly outputs: readonly string[];

  constructor(
    readonly accumulator: DisposableAccumulator<R>,
    private readonly file: ResultFile<R> | undefined,
  ) {
    this.outputs = file ? [file.path] : [];
  }

  write(batch: Batch): void {
    this.accumulator.add(batch);
  }

  async finish(): Promise<R> {
    let result: R;
    try {
      result = this.accumulator.result();
    } finally {
      this.accumulator.dispose?.();
    }
    await this.file?.write(result);
    return result;
  }

  async abort(): Promise<void> {
    this.accumulator.dispose?.();
    await this.file?.abort();
  }
}
