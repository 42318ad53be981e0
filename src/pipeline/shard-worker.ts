/**
 * A worker thread of a pass run on several threads (sharded.ts): it runs the pieces the main
 * thread sends, one at a time (shard-piece.ts), and posts each one's accumulator states and
 * counts back, or its error as a SluiceError's JSON; progress as it reads. It lives until the
 * main thread ends it, so one thread's start-up (loading the stages) serves every piece of
 * both passes.
 */
import { parentPort } from 'node:worker_threads';
import { wrapError } from '../core/errors.ts';
import type { PieceTask, PieceResult, ShardSetup } from './shard-piece.ts';
import { runPiece } from './shard-piece.ts';

/** What the worker posts: a piece's progress, its result, or its failure. */
export type ShardMessage =
  | { readonly kind: 'progress'; readonly index: number; readonly rows: number; readonly bytes: number }
  | { readonly kind: 'piece'; readonly index: number; readonly result: PieceResult }
  | { readonly kind: 'piece-error'; readonly index: number; readonly error: Record<string, unknown> };

/** The worker's call (worker-entry.js runs it): serves pieces until the thread is terminated. */
export default function serveShards(setup: ShardSetup): Promise<never> {
  const port = parentPort;
  if (!port) throw new Error('shard-worker runs on a worker thread');
  const signal = new AbortController().signal;
  port.on('message', (task: PieceTask) => {
    const progress = (rows: number, bytes: number) =>
      port.postMessage({ kind: 'progress', index: task.index, rows, bytes } satisfies ShardMessage);
    runPiece(setup, task, signal, progress).then(
      (result) => port.postMessage({ kind: 'piece', index: task.index, result } satisfies ShardMessage),
      (error: unknown) =>
        port.postMessage({
          kind: 'piece-error',
          index: task.index,
          error: wrapError(error, 'shard').toJSON(),
        } satisfies ShardMessage),
    );
  });
  // Never settles: worker-entry.js would post the end; the main thread terminates the thread.
  return new Promise<never>(() => {});
}
