/**
 * The fuzz child: a long-lived process that runs one input at a time for the harness
 * (harness.ts) over IPC — `inspect` and a stats pipeline for a data file, validate and run for a
 * spec — and replies with each outcome (the value, or the error's name, code and message) and
 * its memory. It is started with --max-old-space-size and a data-size limit; the harness kills
 * it on a hang and starts another.
 */
import { resourceUsage } from 'node:process';
import { inspectFile } from '../../src/pipeline/inspect.ts';
import { run, runSpec } from '../../src/pipeline/api.ts';
import { parseSpecText } from '../../src/pipeline/spec-document.ts';
import type { StatsResult } from '../../src/sinks/stats.ts';
import { SluiceError } from '../../src/core/errors.ts';
import type { ChildReply, ChildRequest, ErrorInfo, Outcome, Probe, RunSummary } from './protocol.ts';

function errorInfo(error: unknown): ErrorInfo {
  const e = error as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown } | null;
  return {
    name: typeof e?.name === 'string' ? e.name : typeof error,
    code: typeof e?.code === 'string' ? e.code : undefined,
    message: String(e?.message ?? error).slice(0, 2000),
    stack: typeof e?.stack === 'string' ? e.stack.split('\n').slice(0, 8).join('\n') : undefined,
  };
}

async function outcome<T>(work: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

async function handle(request: ChildRequest): Promise<ChildReply> {
  const started = performance.now();
  const reply: ChildReply = { id: request.id, ms: 0, rss: 0, maxRss: 0 };
  if (request.kind === 'file') {
    const { path, source, inspectType, inspectParams } = request;
    reply.inspect = await outcome(async () => {
      const r = await inspectFile(path, { type: inspectType, params: inspectParams });
      // An HDF5 file named without a dataset is listed: no table to compare with the run.
      if (r.kind === 'listing') return undefined;
      return {
        rows: r.rows,
        columns: r.schema.columns.map((c) => ({ name: c.name, dtype: c.dtype, width: c.width })),
      };
    });
    reply.run = await outcome(async () => {
      const r = await run({ source: { ...source, path }, sinks: [{ type: 'stats' }] });
      return {
        rowsRead: r.rowsRead,
        sinkRows: r.sinks[0].rows,
        stats: r.sinks[0].result as StatsResult,
      };
    });
  } else if (request.kind === 'probe') {
    reply.inspect = { ok: true, value: undefined };
    reply.run = await outcome(() => probe(request.probe));
  } else {
    const { path, text, env, set, root } = request;
    reply.inspect = await outcome(() => void parseSpecText(text, path, { env, set }));
    reply.run = await outcome(async () => {
      const r = await runSpec(path, { env, set, root, overwrite: true });
      return { rowsRead: r.rowsRead, sinkRows: r.sinks[0]?.rows ?? 0 };
    });
  }
  const usage = resourceUsage();
  return {
    ...reply,
    ms: performance.now() - started,
    rss: process.memoryUsage().rss,
    maxRss: usage.maxRSS * 1024,
  };
}

/** Misbehaves as the harness's own test asks: each way an input can fail. */
async function probe(what: Probe): Promise<RunSummary> {
  if (what === 'typed') throw new SluiceError('FORMAT_INVALID', 'probe');
  if (what === 'untyped') throw new TypeError('probe');
  if (what === 'exit') process.exit(134);
  if (what === 'hang') for (;;);
  if (what === 'stray') setTimeout(() => Promise.reject(new Error('probe: a stray rejection')), 0);
  if (what === 'allocate') new Uint8Array(700 * 2 ** 20).fill(1);
  return { rowsRead: 0, sinkRows: 0 };
}

// A throw or rejection outside an input's own promise chain (a stream, a timer, a worker) is
// the current input's failure: report it, then exit so that the harness starts afresh.
let current = -1;
const fatal = (kind: string) => (error: unknown) => {
  process.send?.({ id: current, fatal: `${kind}: ${errorInfo(error).name}: ${errorInfo(error).message}` });
  setTimeout(() => process.exit(70), 50);
};
process.on('uncaughtException', fatal('uncaught exception'));
process.on('unhandledRejection', fatal('unhandled rejection'));

// One input at a time, and a millisecond after each reply before the next: an error an input
// leaves behind (a timer, a stream's late 'error') is then reported under that input's id.
let queue = Promise.resolve();
process.on('message', (request: ChildRequest) => {
  queue = queue.then(async () => {
    current = request.id;
    if (request.kind === 'spec' && request.cwd) process.chdir(request.cwd);
    process.send?.(await handle(request));
    await new Promise((resolve) => setTimeout(resolve, 1));
  });
});
process.send?.({ id: -1, ready: true });
