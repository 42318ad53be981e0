/**
 * A rendezvous between a sink's `write` and a consumer that pulls (a web ReadableStream's
 * `pull`): `send` resolves only when the consumer has taken the value, so the producer is
 * paused while the consumer is behind and nothing queues up. Capacity is one value.
 */
import { SluiceError } from './errors.ts';

interface Waiter<T> {
  resolve(value: T | undefined): void;
  reject(error: unknown): void;
}

export class Handoff<T> {
  private offered?: { value: T; taken: () => void };
  private waiter?: Waiter<T>;
  private closed = false;
  private error?: unknown;

  /**
   * Offers `value` and waits until it is taken. `consumerDone` settling first (the consumer
   * stopped, with or without an error) rejects, so a failed consumer never deadlocks a producer.
   */
  send(value: T, consumerDone: Promise<unknown>): Promise<void> {
    if (this.closed || this.error !== undefined) return Promise.reject(new Error('handoff closed'));
    const taken = new Promise<void>((resolve) => {
      if (this.waiter) {
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter.resolve(value);
        resolve();
      } else {
        this.offered = { value, taken: resolve };
      }
    });
    const stopped = consumerDone.then(
      () => Promise.reject(new SluiceError('IO_WRITE', 'the writer stopped before taking all the rows')),
      (error: unknown) => Promise.reject(error),
    );
    return Promise.race([taken, stopped]);
  }

  /** The next value, or undefined once closed; rejects after `fail`. */
  receive(): Promise<T | undefined> {
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.offered) {
      const { value, taken } = this.offered;
      this.offered = undefined;
      taken();
      return Promise.resolve(value);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** No more values: a waiting receiver gets undefined. */
  close(): void {
    this.closed = true;
    this.waiter?.resolve(undefined);
    this.waiter = undefined;
  }

  /** The consumer's pending and future receives reject with `error`. */
  fail(error: unknown): void {
    this.error = error;
    this.waiter?.reject(error);
    this.waiter = undefined;
  }
}
