/**
 * What a job carries and returns (docs/design.md §8): descriptions and paths, never data. The run's
 * description and every state live in the scratch directory; a job names the run's directory
 * there, its pass, its node in the merge tree and, for a shard, its rows.
 */

export type TaskKind = 'shard' | 'merge' | 'root';

/** A job's data. */
export interface TaskData {
  /** The run's directory in the scratch storage (absolute). */
  readonly run: string;
  readonly pass: number;
  readonly kind: TaskKind;
  /** Its node in the pass's merge tree (queue-plan.ts `passTree`). */
  readonly node: string;
  /** A shard's row range. */
  readonly startRow?: number;
  readonly endRow?: number;
  /** A merge node's or the root's children, in row order. */
  readonly children?: readonly string[];
}

/** What the thread that runs a task is told besides the job's data. */
export interface TaskRequest extends TaskData {
  readonly job: string;
  /** How many times the job has been started, this time included. */
  readonly attempts: number;
  readonly host: string;
}

/** A job's return value: a few numbers. */
export interface TaskOutcome {
  /** Its state was already in the scratch directory (a duplicate or a resubmitted run). */
  readonly reused: boolean;
  readonly rows: number;
  readonly bytes: number;
}

/** A shard's progress, as the job's progress. */
export interface TaskProgress {
  readonly rows: number;
  readonly bytes: number;
}

/** The message a task thread posts while it works and when a task ends. */
export type TaskThreadMessage =
  | { readonly kind: 'progress'; readonly rows: number; readonly bytes: number }
  | { readonly kind: 'task-done'; readonly value: TaskOutcome }
  | { readonly kind: 'task-failed'; readonly error: Record<string, unknown> };

/** What the main thread posts to a task thread. */
export type TaskThreadRequest =
  { readonly kind: 'task'; readonly task: TaskRequest } | { readonly kind: 'stop' };
