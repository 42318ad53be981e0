/**
 * BullMQ's Queue, FlowProducer and Worker on either backend: Redis, or PostgreSQL through
 * BullMQ's PostgreSQL backend (same classes, same semantics, its tables migrated on first
 * connect). Everything else in sluice sees one set of classes whatever the URL says.
 */
import { createPostgresBackend, createRedisBackend, FlowProducer, Queue, Worker } from 'bullmq';
import type { BackendFactory, IQueueBackend, JobProgress, Processor, WorkerOptions } from 'bullmq';
import { SluiceError } from '../core/errors.ts';
import type { QueueTarget } from './queue-url.ts';
import type { TaskData, TaskOutcome } from './task-types.ts';

export type TaskQueue = Queue<
  TaskData,
  TaskOutcome,
  string,
  TaskData,
  TaskOutcome,
  string,
  IQueueBackend,
  unknown
>;
export type TaskFlowProducer = FlowProducer<IQueueBackend, unknown>;
export type TaskWorker = Worker<TaskData, TaskOutcome, string, IQueueBackend, JobProgress, unknown>;
export type TaskProcessor = Processor<TaskData, TaskOutcome, string>;

/** How long `sluice run` waits for the queue's server before it gives up. */
const CONNECT_TIMEOUT_MS = 15_000;

function factoryOf(target: QueueTarget): BackendFactory<IQueueBackend, unknown> {
  // The two factories differ only in their connection options' type, which QueueTarget fixes.
  return (target.backend === 'redis' ? createRedisBackend : createPostgresBackend) as BackendFactory<
    IQueueBackend,
    unknown
  >;
}

export function openQueue(target: QueueTarget): TaskQueue {
  return new Queue(target.name, { connection: target.connection }, factoryOf(target)) as TaskQueue;
}

export function openFlowProducer(target: QueueTarget): TaskFlowProducer {
  return new FlowProducer({ connection: target.connection }, factoryOf(target));
}

export function openWorker(
  target: QueueTarget,
  processor: TaskProcessor,
  options: Omit<WorkerOptions<unknown>, 'connection'>,
): TaskWorker {
  return new Worker(target.name, processor, { ...options, connection: target.connection }, factoryOf(target));
}

/** What waitForQueue needs of a Queue, FlowProducer or Worker. */
interface Connectable {
  waitUntilReady(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Resolves once the queue's server answers; IO_READ on its first connection error or after
 * CONNECT_TIMEOUT_MS. Later errors (the server restarting, say) go to `log` while BullMQ
 * reconnects, instead of being printed raw.
 */
export async function waitForQueue(
  client: Connectable,
  target: QueueTarget,
  log: (message: string) => void = () => {},
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onError: ((error: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${CONNECT_TIMEOUT_MS / 1000} s`)),
      CONNECT_TIMEOUT_MS,
    );
    onError = reject;
    client.on('error', onError);
  });
  try {
    await Promise.race([client.waitUntilReady(), failed]);
    client.on('error', (error) => log(`queue ${target.display}: ${error.message}`));
  } catch (error) {
    throw new SluiceError(
      'IO_READ',
      `cannot reach the queue at ${target.display}: ${(error as Error).message}`,
      {
        cause: error,
        hint:
          target.backend === 'redis'
            ? 'Is redis-server running there (`redis-server --port 6379`)?'
            : 'Is PostgreSQL running there, and may this user create tables in that database?',
      },
    );
  } finally {
    clearTimeout(timer);
    if (onError) client.off('error', onError);
  }
}
