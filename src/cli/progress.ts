import type CliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import type { PassProgress } from '../pipeline/runner.ts';
import { formatBytes, formatRate } from './format.ts';

export interface ProgressDisplay {
  update(progress: PassProgress): void;
  /**
   * Clears the bar for good; idempotent, and later updates draw nothing. Call it before writing
   * anything else to stderr (Ctrl-C's message): its final redraw, cursor restore and line clear
   * would otherwise land on top of what was written, or leave a stale bar below it.
   */
  stop(): void;
}

const NO_DISPLAY: ProgressDisplay = { update: () => {}, stop: () => {} };
const REDRAW_MS = 100;

/**
 * A progress bar on stderr when it is a terminal. Otherwise nothing, except for a queued run:
 * a line each time a shard finishes (`pass 2/2: shards 5/12`), for logs.
 */
export function createProgressDisplay(enabled: boolean): ProgressDisplay {
  if (!enabled) return NO_DISPLAY;
  if (!process.stderr.isTTY) return shardLines();
  // Loaded only for a terminal: it costs ~40 ms of start-up, which every run would pay.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{pass} [{bar}] {percentage}% | {done} / {total_bytes} | {rate}{shards} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 1000 / REDRAW_MS,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  let startedAt = performance.now();
  let currentPass = 0;
  return {
    update(progress) {
      if (stopped) return;
      const total = progress.totalBytes * progress.passes;
      const done = progress.totalBytes * (progress.pass - 1) + progress.bytes;
      if (progress.pass !== currentPass) {
        currentPass = progress.pass;
        startedAt = performance.now();
      }
      const seconds = Math.max((performance.now() - startedAt) / 1000, 1e-3);
      const payload = {
        pass: progress.passes > 1 ? `pass ${progress.pass}/${progress.passes}` : 'reading',
        done: formatBytes(done),
        total_bytes: formatBytes(total),
        rate: formatRate(progress.rows / seconds, ' rows'),
        shards: progress.shards ? ` | shards ${progress.shards.done}/${progress.shards.total}` : '',
      };
      if (started) bar.update(done, payload);
      else bar.start(total, done, payload);
      started = true;
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}

function shardLines(): ProgressDisplay {
  let last = '';
  return {
    update(progress) {
      if (!progress.shards) return;
      const line = `pass ${progress.pass}/${progress.passes}: shards ${progress.shards.done}/${progress.shards.total}`;
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
    },
    stop() {},
  };
}
