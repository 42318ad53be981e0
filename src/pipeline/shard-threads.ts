/**
 * The worker threads of a pass run on several threads (sharded.ts), each serving pieces
 * (shard-worker.ts). They are started as soon as the run knows it will use them, so loading
 * their modules overlaps the main thread's own work, and are terminated when the run ends,
 * fails or is interrupted.
 */
import type { Worker } from 'node:worker_threads';
import { SluiceError, sluiceErrorFromJSON } from '../core/errors.ts';
import { startWorker } from '../core/worker-call.ts';
import type { WorkerEndMessage } from '../core/worker-call.ts';
import type { PieceResult, PieceTask, ShardSetup } from './shard-piece.ts';
import type { ShardMessage } from './shard-worker.ts';

interface Pending {
  readonly resolve: (result: PieceResult) => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress: (rows: number, bytes: number) => void;
}

/** One worker thread: runs one piece at a time. */
export class ShardThread {
  private readonly worker: Worker;
  private pending: Pending | undefined;
  private failure: unknown;
  private ended = false;

  constructor(setup: ShardSetup) {
    this.worker = startWorker('pipeline/shard-worker', setup);
    this.worker.on('message', (message: ShardMessage | WorkerEndMessage) => this.receive(message));
    // An uncaught throw outside a piece (its module failed to load, say).
    this.worker.on('error', (error) =>
      this.fail(
        new SluiceError('STAGE_FAILED', `a shard's worker thread failed: ${error.message}`, { cause: error }),
      ),
    );
    this.worker.on('exit', (code) => {
      if (!this.ended)
        this.fail(new SluiceError('STAGE_FAILED', `a shard's worker thread exited with code ${code}`));
    });
  }

  /** Runs `task` on the thread; rejects with the piece's error, or the thread's. */
  run(task: PieceTask, onProgress: (rows: number, bytes: number) => void): Promise<PieceResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, onProgress };
      this.worker.postMessage(task);
    });
  }

  /** Ends the thread, whatever it is doing; a piece under way rejects with `reason`. */
  async terminate(reason?: unknown): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.settle()?.reject(reason ?? new SluiceError('ABORTED', 'the run was interrupted'));
    await this.worker.terminate();
  }

  private receive(message: ShardMessage | WorkerEndMessage): void {
    if (message.kind === 'progress') this.pending?.onProgress(message.rows, message.bytes);
    else if (message.kind === 'piece') this.settle()?.resolve(message.result);
    else if (message.kind === 'piece-error') this.settle()?.reject(sluiceErrorFromJSON(message.error));
    else if (message.kind === 'error') this.fail(sluiceErrorFromJSON(message.error));
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.settle()?.reject(error);
  }

  private settle(): Pending | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }
}

/** `count` threads for `setup`, ended all at once when `signal` aborts. */
export function startShardThreads(count: number, setup: ShardSetup, signal: AbortSignal): ShardThreads {
  return new ShardThreads(
    Array.from({ length: count }, () => new ShardThread(setup)),
    signal,
  );
}

export class ShardThreads {
  private readonly stop = () => void this.close(this.signal.reason);

  constructor(
    readonly threads: readonly ShardThread[],
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.stop, { once: true });
  }

  async close(reason?: unknown): Promise<void> {
    this.signal.removeEventListener('abort', this.stop);
    await Promise.all(this.threads.map((thread) => thread.terminate(reason)));
  }
}
