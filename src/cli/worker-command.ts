import { startQueueWorker } from '../cluster/worker.ts';

export interface WorkerArgs {
  queue: string;
  concurrency?: number;
  lockSeconds?: number;
}

/**
 * `sluice worker --queue URL`: takes jobs until SIGTERM or SIGINT, then finishes the jobs in
 * progress and exits 0; a second signal exits at once (130), and the queue gives the jobs it
 * held to other workers once their locks lapse.
 */
export async function workerCommand(args: WorkerArgs): Promise<number> {
  const log = (message: string) => process.stderr.write(`sluice worker: ${message}\n`);
  const worker = await startQueueWorker({
    queue: args.queue,
    concurrency: args.concurrency,
    lockSeconds: args.lockSeconds,
    log,
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`${signal}: finishing the jobs in progress (send it again to stop at once)`);
  const force = () => process.exit(130);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  try {
    await worker.close();
  } finally {
    process.off('SIGTERM', force);
    process.off('SIGINT', force);
  }
  log('stopped');
  return 0;
}
