/**
 * The main thread's side of an output filled in place by the threads of a local run
 * (sharded.ts): it creates the file under a temporary name beside the output before the pass,
 * and on finish (every piece has written its rows) fsyncs it and renames it to the output;
 * abort removes it. Batches never reach it: the pieces write the rows (region-sink.ts).
 */
import { rm } from 'node:fs/promises';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type { SinkInstance, SinkStage } from '../core/stage.ts';
import type { RegionFormat, RegionOutput } from './row-regions.ts';
import { commitRegionOutput, createRegionOutput, refuseExisting } from './row-regions.ts';
import type { StagePlan } from './validate.ts';

export async function openRegionOutputSink(
  format: RegionFormat,
  sink: StagePlan<SinkStage>,
  schema: Schema,
  rows: number,
  overwrite: boolean,
): Promise<{ output: RegionOutput; instance: SinkInstance<{ rows: number }> }> {
  // Refused before anything is read, as the sink's own writer refuses it.
  refuseExisting(String(sink.params.out), overwrite);
  const output = await createRegionOutput(format, sink.params, schema, rows);
  return { output, instance: new RegionOutputSink(output, rows, overwrite) };
}

class RegionOutputSink implements SinkInstance<{ rows: number }> {
  readonly outputs: readonly string[];
  private settled = false;

  constructor(
    private readonly output: RegionOutput,
    private readonly rows: number,
    private readonly overwrite: boolean,
  ) {
    this.outputs = [output.out];
  }

  write(): void {
    throw new SluiceError(
      'STAGE_FAILED',
      `${this.output.out}: the threads write this output, not the main pass`,
    );
  }

  async finish(): Promise<{ rows: number }> {
    try {
      await commitRegionOutput(this.output, this.overwrite);
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.settled = true;
    return { rows: this.rows };
  }

  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await rm(this.output.temp, { force: true });
  }
}
