/**
 * Encoding on worker threads with the results in order: a writer submits pieces (a Parquet
 * row group's columns), workers encode them in parallel, and the results are handed back one
 * at a time in submission order, so one writer appends them as a single thread would have.
 * Memory stays bounded: at most `perWorker` pieces per worker are in flight (submitted and
 * not yet consumed, queued or encoding or waiting for their turn); `submit` waits for room.
 *
 * Each worker runs a module's default export through core/worker-entry.js; that function
 * calls `serveTasks` with its encoder and returns when the pool says stop.
 */
import { parentPort } from 'node:worker_threads';
import type { Transferable, Worker } from 'node:worker_threads';
import { SluiceError, sluiceErrorFromJSON } from '../core/errors.ts';
import { startWorker } from '../core/worker-call.ts';
import type { WorkerEndMessage } from '../core/worker-call.ts';

/** What the pool posts to a worker. */
type ToWorker<T> =
  { readonly kind: 'task'; readonly seq: number; readonly task: T } | { readonly kind: 'stop' };

/** What a worker posts back before worker-entry.js posts its end. */
interface FromWorker<R> {
  readonly kind: 'result';
  readonly seq: number;
  readonly result: R;
}

/** A result and the buffers to move (not copy) back with it. */
export interface Encoded<R> {
  readonly result: R;
  readonly transfer: readonly Transferable[];
}

/**
 * The worker's side: answers each task with `encode`'s result, in the order received, until
 * the pool says stop. A throw ends the worker with that error (the pool then fails).
 */
export function serveTasks<T, R>(encode: (task: T) => Encoded<R>): Promise<void> {
  const port = parentPort;
  if (!port) return Promise.reject(new Error('serveTasks: not on a worker thread'));
  return new Promise((resolve, reject) => {
    const onMessage = (message: ToWorker<T>) => {
      if (message.kind === 'stop') {
        port.off('message', onMessage);
        resolve();
        return;
      }
      try {
        const { result, transfer } = encode(message.task);
        const reply: FromWorker<R> = { kind: 'result', seq: message.seq, result };
        port.postMessage(reply, transfer as Transferable[]);
      } catch (error) {
        port.off('message', onMessage);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    port.on('message', onMessage);
  });
}

export interface EncoderPoolOptions {
  /** Module under src/ (no extension) whose default export calls `serveTasks`. */
  readonly module: string;
  /** Its argument (structured-cloned). */
  readonly input: unknown;
  readonly threads: number;
  /** Pieces in flight per worker; 2 keeps each busy while its last result is written. */
  readonly perWorker?: number;
}

interface PoolWorker {
  readonly worker: Worker;
  pending: number;
  ended: Promise<void>;
}

/** Workers that encode submitted tasks; `consume` gets every result, in submission order. */
export class EncoderPool<T, R> {
  private readonly workers: PoolWorker[] = [];
  private readonly results = new Map<number, R>();
  private readonly limit: number;
  private submitted = 0;
  private consumed = 0;
  private consuming = false;
  private failure?: unknown;
  /** Woken when a result is consumed or the pool fails. */
  private waiters: (() => void)[] = [];
  private consumer: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: EncoderPoolOptions,
    private readonly consume: (result: R) => Promise<void>,
  ) {
    this.limit = options.threads * (options.perWorker ?? 2);
  }

  /** Pieces submitted or added and not yet consumed. */
  get inFlight(): number {
    return this.submitted - this.consumed;
  }

  /** How many may be in flight before `submit` waits. */
  get capacity(): number {
    return this.limit;
  }

  /**
   * Takes the next place in the order for a result made on this thread (while every worker
   * was busy); never waits, so the caller keeps it to one beyond `capacity`.
   */
  add(result: R): void {
    if (this.failure !== undefined) throw this.failure;
    this.results.set(this.submitted++, result);
    this.drain();
  }

  /** Sends `task` to the least busy worker, once fewer than the limit are in flight. */
  async submit(task: T, transfer: readonly Transferable[] = []): Promise<void> {
    while (this.failure === undefined && this.submitted - this.consumed >= this.limit) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.workers.length < this.options.threads) this.startWorker();
    const target = this.workers.reduce((a, b) => (b.pending < a.pending ? b : a));
    target.pending++;
    const message: ToWorker<T> = { kind: 'task', seq: this.submitted++, task };
    target.worker.postMessage(message, transfer as Transferable[]);
  }

  /** Waits until every result is consumed, then stops the workers. */
  async close(): Promise<void> {
    while (this.failure === undefined && this.consumed < this.submitted) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure !== undefined) throw this.failure;
    await this.consumer;
    for (const { worker } of this.workers) worker.postMessage({ kind: 'stop' } satisfies ToWorker<T>);
    await Promise.all(this.workers.map((w) => w.ended));
    if (this.failure !== undefined) throw this.failure;
  }

  /** Stops the workers at once; what they were encoding is dropped. */
  async destroy(): Promise<void> {
    this.fail(new SluiceError('ABORTED', 'the encoder pool was stopped'));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private startWorker(): void {
    const worker = startWorker(this.options.module, this.options.input);
    const entry: PoolWorker = { worker, pending: 0, ended: Promise.resolve() };
    entry.ended = new Promise<void>((resolve) => {
      let end: WorkerEndMessage | undefined;
      worker.on('message', (message: FromWorker<R> | WorkerEndMessage) => {
        if (message.kind === 'result') {
          entry.pending--;
          this.results.set(message.seq, message.result);
          this.drain();
        } else end = message;
      });
      worker.on('error', (error) =>
        this.fail(
          new SluiceError('STAGE_FAILED', `${this.options.module}: ${error.message}`, { cause: error }),
        ),
      );
      worker.on('exit', (code) => {
        if (end?.kind === 'error') this.fail(sluiceErrorFromJSON(end.error));
        else if (end?.kind !== 'done')
          this.fail(
            new SluiceError(
              'STAGE_FAILED',
              `${this.options.module}: its worker thread exited with code ${code}`,
            ),
          );
        resolve();
      });
    });
    this.workers.push(entry);
  }

  /** Consumes the results that are next in order, one at a time. */
  private drain(): void {
    if (this.consuming || this.failure !== undefined) return;
    this.consuming = true;
    this.consumer = (async () => {
      try {
        for (
          let next = this.results.get(this.consumed);
          next !== undefined;
          next = this.results.get(this.consumed)
        ) {
          this.results.delete(this.consumed);
          await this.consume(next);
          this.consumed++;
          this.notify();
        }
      } catch (error) {
        this.fail(error);
      } finally {
        this.consuming = false;
      }
    })();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.results.clear();
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
