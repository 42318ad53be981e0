/**
 * What a report of a run is made from. The shapes are the pipeline's (RunReport, FileOutcome)
 * restated here, so the report library needs nothing above it: the CLI hands its run over.
 * A sink's outcome is defined here once and the pipeline's SinkReport is it.
 */
import type { Schema } from '../core/schema.ts';

/** One sink of a run: what it received, wrote and computed (the pipeline's SinkReport). */
export interface SinkOutcome {
  readonly type: string;
  /** The sink's `name:` in the spec, when it has one. */
  readonly name?: string;
  /** Where it sits in the spec: `sinks[2]`. */
  readonly pointer: string;
  /** New rows the sink received. */
  readonly rows: number;
  readonly outputs: readonly string[];
  /** An accumulator's result; undefined for a pure writer. */
  readonly result: unknown;
}

/** One sink of a run as the report shows it. */
export interface ReportSink extends SinkOutcome {
  /** Its params as run (defaults filled in): a plot's axis labels name its columns from them. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** One run over one input file (a RunReport). */
export interface ReportRun {
  readonly source: { readonly path: string; readonly format: string; readonly backend: string };
  readonly rowsRead: number;
  /** Over all passes. */
  readonly bytesRead: number;
  readonly seconds: number;
  readonly passes: number;
  readonly threads?: number;
  /** The schema the sinks saw: units and sample rate for the plots' labels. */
  readonly schema?: Schema;
  readonly sinks: readonly ReportSink[];
}

export type ReportFileStatus = 'ok' | 'skipped' | 'failed' | 'planned';

/** One input file's outcome: the run over it, or why there was none. */
export interface ReportFile {
  readonly input: string;
  readonly status: ReportFileStatus;
  readonly outputs: readonly string[];
  readonly run?: ReportRun;
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
}

/** One pipeline (spec) and the files it ran over. */
export interface ReportPipeline {
  /** The pipeline's name (the spec's `name:`, or the spec file's). */
  readonly name: string;
  /** The spec file, and its value as run: after `${VAR}` interpolation and `--set`. */
  readonly specPath?: string;
  readonly spec: unknown;
  /** One per input file, in the order they ran. */
  readonly files: readonly ReportFile[];
}

/** Everything a report shows: usually one pipeline (`sluice run`), several for the demo. */
export interface ReportInput {
  /** The report's title. */
  readonly title: string;
  readonly pipelines: readonly ReportPipeline[];
  /** sluice's version. */
  readonly version: string;
  readonly createdAt: Date;
  /** Wall-clock seconds of the whole run (every file). */
  readonly seconds: number;
  /** The process's peak resident memory at the end of the run. */
  readonly peakRssBytes: number;
  /** What the run logged: warnings (trailing bytes ignored, a segment cut to the input) and notes. */
  readonly messages: readonly string[];
}

/** What identifies an input file's content without reading all of it (input-facts.ts). */
export interface InputFacts {
  readonly size: number;
  readonly modified: Date;
  /** Hex SHA-256: of the whole file when `whole`, else of its size, first MiB and last MiB. */
  readonly sha256: string;
  readonly whole: boolean;
}

/** A picture a sink wrote (.svg or .png), read back to be embedded. */
export type Picture =
  | { readonly kind: 'svg'; readonly path: string; readonly text: string }
  | { readonly kind: 'png'; readonly path: string; readonly bytes: Uint8Array };
