/**
 * A sink that draws another's result: batches go to the inner sink unchanged; on finish its
 * result is drawn into a picture file, which is committed only when both succeeded.
 */
import type { Batch } from '../core/batch.ts';
import type { Accumulator, SinkInstance } from '../core/stage.ts';
import type { AtomicFile } from '../io/atomic-file.ts';

/** Passes batches to the inner sink; on finish draws its result and commits the picture. */
export class PictureSink implements SinkInstance {
  readonly outputs: readonly string[];

  constructor(
    private readonly inner: SinkInstance,
    private readonly file: AtomicFile,
    private readonly draw: (result: unknown) => string | Uint8Array | Promise<string | Uint8Array>,
  ) {
    this.outputs = [file.path, ...inner.outputs];
  }

  /** The inner sink's: a sharded run merges the shards' states into it (sharded.ts). */
  get accumulator(): Accumulator<unknown> | undefined {
    return this.inner.accumulator;
  }

  write(batch: Batch): void | Promise<void> {
    return this.inner.write(batch);
  }

  async finish(): Promise<unknown> {
    try {
      const result = await this.inner.finish();
      await this.file.write(await this.draw(result));
      await this.file.commit();
      return result;
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async abort(): Promise<void> {
    await Promise.allSettled([this.inner.abort(), this.file.abort()]);
  }
}
