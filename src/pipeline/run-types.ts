/** The shapes a run takes and gives: options, progress, counts and the report. */
import type { Schema } from '../core/schema.ts';
import type { Progress } from '../core/stage.ts';
import type { SinkOutcome } from '../report/report-types.ts';

export interface PassProgress extends Progress {
  /** 1-based pass number and how many passes there are. */
  readonly pass: number;
  readonly passes: number;
  readonly totalRows: number;
  readonly totalBytes: number;
  /** A queued run's shards of this pass: finished and in all. */
  readonly shards?: { readonly done: number; readonly total: number };
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /**
   * Threads for the passes, the main thread included: the row range is split into pieces, each
   * read by the next free thread; accumulator states are merged in row order, and outputs that
   * keep the rows (hdf5 `layout: columns` contiguous, npy) are filled in place. Only when every
   * sink is an accumulator that can send its state (`toState`) or such an output; otherwise 1.
   * Default: the cores, for inputs of `minThreadedBytes` or more; 1 otherwise.
   */
  readonly workers?: number;
  /** The input size from which a run uses every core when `workers` is not given. Default: 256 MiB. */
  readonly minThreadedBytes?: number;
  /** Replace existing outputs instead of refusing to run. */
  readonly overwrite?: boolean;
  /**
   * Refuse to run (PATH_OUTSIDE_ROOT) unless every input and output is inside this directory,
   * symbolic links followed; checked before anything is opened. Off when absent.
   */
  readonly root?: string;
  readonly log?: (message: string) => void;
  readonly onProgress?: (progress: PassProgress) => void;
}

/** One sink's part of a run; its shape is the report library's, which needs nothing above it. */
export type SinkReport = SinkOutcome;

export interface RunReport {
  readonly name?: string;
  readonly source: { readonly path: string; readonly format: string; readonly backend: string };
  readonly rowsRead: number;
  readonly bytesRead: number;
  readonly seconds: number;
  readonly passes: number;
  readonly overlap: number;
  /** Threads the main pass ran on (1 when it was not sharded). */
  readonly threads?: number;
  readonly sinks: readonly SinkReport[];
  /** The schema the sinks saw (units, sample rate): what a report labels its plots with. */
  readonly schema?: Schema;
  /** A queued run's shards, over all its passes. */
  readonly shards?: ShardCounts;
}

/** How a queued run's shards went (`sluice run --queue --json`). */
export interface ShardCounts {
  readonly total: number;
  /** Finished, this run or before it. */
  readonly done: number;
  /** Finished before this run was submitted (a killed run's, rerun), so not read again. */
  readonly reused: number;
  /** Started more than once: their worker died, or an attempt failed and was retried. */
  readonly retried: number;
}

export interface PassCounts {
  rowsRead: number;
  bytesRead: number;
  sinkRows: number;
}
