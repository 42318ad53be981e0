/**
 * A worker's task thread: the CPU work of shards and merges runs here, off the main thread,
 * so BullMQ's lock on the job keeps renewing there (a blocked event loop would let the lock
 * lapse and the job run twice). Started through core/worker-entry.js; it serves one task at a
 * time, posting progress, until told to stop.
 */
import { parentPort } from 'node:worker_threads';
import { wrapError } from '../core/errors.ts';
import { runTask } from './tasks.ts';
import type { TaskThreadMessage, TaskThreadRequest } from './task-types.ts';

/** Serves tasks until a `stop` request; worker-entry.js then ends the thread. */
export default function serveTasks(): Promise<void> {
  const port = parentPort;
  if (!port) return Promise.reject(new Error('task-thread runs on a worker thread'));
  const post = (message: TaskThreadMessage) => port.postMessage(message);
  return new Promise((resolve) => {
    const onMessage = (request: TaskThreadRequest) => {
      if (request.kind === 'stop') {
        port.off('message', onMessage);
        resolve();
        return;
      }
      runTask(request.task, (p) => post({ kind: 'progress', rows: p.rows, bytes: p.bytes })).then(
        (value) => post({ kind: 'task-done', value }),
        (error: unknown) =>
          post({ kind: 'task-failed', error: wrapError(error, request.task.node).toJSON() }),
      );
    };
    port.on('message', onMessage);
  });
}
