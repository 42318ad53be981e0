/** The shapes a run takes and gives: options, progress, counts and the report. */
import type { Progress } from '../core/stage.ts';

export interface PassProgress extends Progress {
  /** 1-based pass number and how many passes there are. */
  readonly pass: number;
  readonly passes: number;
  readonly totalRows: number;
  readonly totalBytes: number;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /**
   * Threads for the main pass: the row range is split into this many shards, each read and
   * accumulated in a worker thread, merged in order. Only when every sink is an accumulator
   * that can send its state (`toState`). Default: the cores, for inputs of 256 MiB or more
   * through a CPU-heavy stage (welch, fft, ...); 1 otherwise.
   */
  readonly workers?: number;
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

export interface SinkReport {
  readonly type: string;
  readonly pointer: string;
  /** New rows the sink received. */
  readonly rows: number;
  readonly outputs: readonly string[];
  /** What the sink computed (an accumulator's result), or undefined for pure writers. */
  readonly result: unknown;
}

export interface RunReport {
  readonly name?: string;
  readonly source: { readonly path: string; readonly format: string; readonly backend: string };
  readonly rowsRead: number;
  readonly bytesRead: number;
  readonly seconds: number;
  readonly passes: number;
  readonly overlap: number;
  readonly sinks: readonly SinkReport[];
}

export interface PassCounts {
  rowsRead: number;
  bytesRead: number;
  sinkRows: number;
}
