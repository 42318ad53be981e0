/**
 * Turns an Accumulator (DESIGN.md §3) into a SinkInstance: every batch is added (the
 * accumulator counts only its new rows), and on finish the result is returned and, when an
 * `out` path is given, written there (as JSON unless the sink passes `encode`). The output's temporary file is created up
 * front, so an existing output or an unwritable directory fails the run before any data is
 * read, and a failed or aborted run leaves nothing behind.
 */
import type { Batch } from '../../core/batch.ts';
import type { Accumulator, SinkInstance } from '../../core/stage.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';

export interface AccumulatorSinkOptions<R = unknown> {
  /** Path of the JSON file to write the result to; none when absent. */
  readonly out?: string;
  readonly overwrite: boolean;
  /** The bytes written to `out`; the result as JSON (`formatJson`) when absent. */
  readonly encode?: (result: R) => Uint8Array | string;
}

export async function createAccumulatorSink<R>(
  accumulator: Accumulator<R>,
  options: AccumulatorSinkOptions<R>,
): Promise<SinkInstance<R>> {
  const file = options.out
    ? await createAtomicFile(options.out, { overwrite: options.overwrite })
    : undefined;
  return new AccumulatorSink(accumulator, file, options.encode ?? formatJson);
}

/** The JSON text of a result: two-space indented, one trailing newline. */
export function formatJson(result: unknown): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

class AccumulatorSink<R> implements SinkInstance<R> {
  readonly outputs: readonly string[];

  constructor(
    readonly accumulator: Accumulator<R>,
    private readonly file: AtomicFile | undefined,
    private readonly encode: (result: R) => Uint8Array | string,
  ) {
    this.outputs = file ? [file.path] : [];
  }

  write(batch: Batch): void {
    this.accumulator.add(batch);
  }

  async finish(): Promise<R> {
    const result = this.accumulator.result();
    if (this.file) {
      try {
        await this.file.write(this.encode(result));
        await this.file.commit();
      } catch (error) {
        await this.file.abort();
        throw error;
      }
    }
    return result;
  }

  async abort(): Promise<void> {
    await this.file?.abort();
  }
}
