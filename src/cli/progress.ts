import cliProgress from 'cli-progress';
import type { PassProgress } from '../pipeline/runner.ts';
import { formatBytes, formatRate } from './format.ts';

export interface ProgressDisplay {
  update(progress: PassProgress): void;
  stop(): void;
}

const NO_DISPLAY: ProgressDisplay = { update: () => {}, stop: () => {} };
const REDRAW_MS = 100;

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
export function createProgressDisplay(enabled: boolean): ProgressDisplay {
  if (!enabled || !process.stderr.isTTY) return NO_DISPLAY;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{pass} [{bar}] {percentage}% | {done} / {total_bytes} | {rate} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 1000 / REDRAW_MS,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let startedAt = performance.now();
  let currentPass = 0;
  return {
    update(progress) {
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
      };
      if (started) bar.update(done, payload);
      else bar.start(total, done, payload);
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
