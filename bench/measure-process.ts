/**
 * One whole process, measured as a user would see it: wall time from spawn to exit (start-up,
 * imports and teardown included), CPU time (user + system, which other processes on a shared
 * machine disturb less than wall time) and peak RSS. GNU time (`/usr/bin/time`) reports the
 * CPU time and peak RSS when it is installed; without it, the wall time is measured here and
 * the peak RSS is whatever the process reports about itself.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './files.ts';

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME);

export interface ProcessRun {
  /** From spawn to exit. */
  wallSeconds: number;
  /** user + system; undefined without GNU time. */
  cpuSeconds?: number;
  /** The whole process's peak RSS (GNU time's %M); undefined without GNU time. */
  maxRssBytes?: number;
  /** The last line of stdout parsed as JSON ({} when it is not JSON). */
  report: Record<string, unknown>;
}

/** Runs `command args` to completion; throws with its stderr when it fails. */
export function runProcess(command: string, args: readonly string[]): ProcessRun {
  const timeFile = join(BENCH_DIR, `sluice-bench-time-${process.pid}.txt`);
  const [cmd, argv] = hasGnuTime
    ? [GNU_TIME, ['-o', timeFile, '-f', '%U %S %M', command, ...args]]
    : [command, [...args]];
  const started = performance.now();
  const run = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallSeconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    rmSync(timeFile, { force: true });
    throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stderr.slice(-4000)}`);
  }
  const result: ProcessRun = { wallSeconds, report: lastJson(run.stdout) };
  if (hasGnuTime) {
    // GNU time prints a "Command exited…" line first when the command fails; the numbers are last.
    const [user, system, rssKib] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ');
    rmSync(timeFile, { force: true });
    result.cpuSeconds = Number(user) + Number(system);
    result.maxRssBytes = Number(rssKib) * 1024;
  }
  return result;
}

function lastJson(stdout: string): Record<string, unknown> {
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The best of several runs by wall time, with the largest peak RSS seen. */
export function bestRun(runs: readonly ProcessRun[]): ProcessRun {
  const fastest = runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  const rss = runs.map((r) => r.maxRssBytes).filter((r): r is number => r !== undefined);
  const cpu = runs.map((r) => r.cpuSeconds).filter((c): c is number => c !== undefined);
  return {
    ...fastest,
    ...(rss.length ? { maxRssBytes: Math.max(...rss) } : {}),
    ...(cpu.length ? { cpuSeconds: Math.min(...cpu) } : {}),
  };
}

/** Reads a file once so that later runs find it in the page cache (the "warm cache"). */
export async function warmPageCache(file: string): Promise<void> {
  for await (const _chunk of createReadStream(file, { highWaterMark: 1 << 24 })) {
    // reading is the point
  }
}

/** Whether `python` imports every one of `modules`. */
export function pythonHas(python: string, modules: readonly string[]): boolean {
  const code = modules.map((m) => `import ${m}`).join('; ');
  return spawnSync(python, ['-c', code], { stdio: 'ignore' }).status === 0;
}

/** The first interpreter of `candidates` that imports every one of `modules`. */
export function pickPython(modules: readonly string[], candidates = ['python3', '/usr/bin/python3']) {
  return candidates.find((python) => pythonHas(python, modules));
}

/**
 * Whether bin/sluice.js will run the compiled dist/ (it falls back to src/ through tsx, slower
 * to start and ~40 MB larger, when a source file is newer than the last build).
 */
export function distIsCurrent(root = '.'): boolean {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (m, e) =>
        Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs),
      statSync(dir).mtimeMs,
    );
  try {
    return newest(join(root, 'src')) <= statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return false;
  }
}
