/**
 * The main thread's side of a task thread (task-thread.ts): one per concurrent job, started
 * on first use and kept for the next job, so a shard does not pay for loading sluice again.
 * A task that must stop at once (its run was cancelled) terminates the thread; the next task
 * starts a fresh one.
 */
import type { Worker } from 'node:worker_threads';
import { SluiceError, sluiceErrorFromJSON } from '../core/errors.ts';
import { startWorker } from '../core/worker-call.ts';
import type { TaskOutcome, TaskProgress, TaskRequest, TaskThreadMessage } from './task-types.ts';

export class TaskSlot {
  private worker?: Worker;
  private busy = false;
  /** What killed the thread outside a task (its module failed to load, say). */
  private failure?: Error;

  /** Runs `task` on the thread; rejects with the task's SluiceError, or STAGE_FAILED if the thread died. */
  run(task: TaskRequest, onProgress: (p: TaskProgress) => void): Promise<TaskOutcome> {
    if (this.busy) return Promise.reject(new Error('task slot busy'));
    this.busy = true;
    const worker = (this.worker ??= this.start());
    return new Promise<TaskOutcome>((resolve, reject) => {
      const detach = () => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        this.busy = false;
      };
      const onMessage = (message: TaskThreadMessage | { kind: 'done' | 'error' }) => {
        if (message.kind === 'progress') onProgress({ rows: message.rows, bytes: message.bytes });
        else if (message.kind === 'task-done') {
          detach();
          resolve(message.value);
        } else if (message.kind === 'task-failed') {
          detach();
          reject(sluiceErrorFromJSON(message.error));
        }
      };
      const onExit = (code: number) => {
        detach();
        if (this.worker === worker) this.worker = undefined;
        const why = this.failure ? `: ${this.failure.message}` : '';
        reject(
          new SluiceError('STAGE_FAILED', `${task.node}: its task thread exited with code ${code}${why}`),
        );
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ kind: 'task', task });
    });
  }

  /** Starts the thread now, so that it has loaded sluice before its first task. */
  warm(): void {
    this.worker ??= this.start();
  }

  /** Ends the thread now; a task running on it rejects. */
  async terminate(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  /** Lets an idle thread end by itself. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ kind: 'stop' });
    await exited;
  }

  private start(): Worker {
    const worker = startWorker('cluster/task-thread', {});
    // An error thrown outside a task (the module failed to load): the exit handler reports it.
    worker.on('error', (error) => (this.failure = error));
    return worker;
  }
}
