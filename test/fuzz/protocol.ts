/** What the harness and its child process say to each other (child.ts, harness.ts). */
import type { StatsResult } from '../../src/sinks/stats.ts';
import type { SourceRef } from './fuzz-input.ts';

export type ChildRequest =
  | {
      readonly id: number;
      readonly kind: 'file';
      readonly path: string;
      readonly source: SourceRef;
      readonly inspectType?: string;
      readonly inspectParams?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly id: number;
      readonly kind: 'spec';
      readonly path: string;
      readonly text: string;
      /** The directory relative paths resolve in: the input's own. */
      readonly cwd: string;
      readonly root: string;
      readonly env: Readonly<Record<string, string>>;
      readonly set?: Readonly<Record<string, string>>;
    }
  | {
      readonly id: number;
      /** The harness's own test (harness.test.ts): misbehave as told. */
      readonly kind: 'probe';
      readonly probe: Probe;
    };

export type Probe = 'typed' | 'untyped' | 'hang' | 'exit' | 'allocate' | 'stray';

export interface ErrorInfo {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly stack?: string;
}

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

export interface InspectSummary {
  readonly rows: number;
  readonly columns: readonly { readonly name: string; readonly dtype: string; readonly width: number }[];
}

export interface RunSummary {
  readonly rowsRead: number;
  readonly sinkRows: number;
  readonly stats?: StatsResult;
}

export interface ChildReply {
  readonly id: number;
  /** inspect for a data file; parseSpecText for a spec. */
  inspect?: Outcome<InspectSummary | void>;
  /** The stats pipeline for a data file; the spec's own run for a spec. */
  run?: Outcome<RunSummary>;
  readonly ms: number;
  readonly rss: number;
  /** The process's peak resident set so far, in bytes. */
  readonly maxRss: number;
}

/** A message from the child outside a reply: started, or a fatal error it caught. */
export interface ChildNotice {
  readonly id: number;
  readonly ready?: boolean;
  readonly fatal?: string;
}
