/**
 * One call on a short-lived worker thread: for work that needs a big library only briefly
 * (h5wasm, to write an HDF5 file's metadata), so the library's heap, WASM memory and code go
 * away with the thread instead of staying in the process for the whole run.
 */
import { Worker } from 'node:worker_threads';
import { SluiceError, sluiceErrorFromJSON } from './errors.ts';

/** What worker-entry.js posts when the call ends. A module may post other messages before. */
export type WorkerEndMessage =
  | { readonly kind: 'done'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: Record<string, unknown> };

/**
 * A Worker running the default export of `module` (a path under src/ without extension) with
 * `input`, through worker-entry.js, compiled or through tsx as the main thread runs.
 */
export function startWorker(module: string, input: unknown): Worker {
  return new Worker(new URL('./worker-entry.js', import.meta.url), { workerData: { module, input } });
}

/**
 * Calls the default export of `module` (a path under src/ without extension, e.g.
 * 'formats/hdf5/skeleton') with `input` on a new thread; `input` and the result are
 * structured-cloned. Resolves once the thread has exited.
 */
export function callInWorker<T>(module: string, input: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(module, input);
    let message: WorkerEndMessage | undefined;
    worker.on('message', (m: WorkerEndMessage) => (message = m));
    worker.on('error', (error) =>
      reject(new SluiceError('STAGE_FAILED', `${module}: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code) => {
      if (message?.kind === 'done') resolve(message.value as T);
      else if (message?.kind === 'error') reject(sluiceErrorFromJSON(message.error));
      else reject(new SluiceError('STAGE_FAILED', `${module}: its worker thread exited with code ${code}`));
    });
  });
}
