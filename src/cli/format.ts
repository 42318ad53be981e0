import { SluiceError } from '../core/errors.ts';
import { peakRssBytes } from '../core/runtime-info.ts';
import type { FileOutcome, ManyReport } from '../pipeline/many.ts';
import type { RunReport } from '../pipeline/runner.ts';
import { formatBytes, formatCount, formatRate } from '../report/quantity.ts';
import { resultJsonReplacer } from '../report/result-json.ts';
import { formatResult } from './result-table.ts';

// The same quantities the HTML report shows, in the same words.
export { formatBytes, formatCount, formatRate } from '../report/quantity.ts';

/** A few readable lines: what was read, how fast, what was written where. */
export function formatRunSummary(report: RunReport): string {
  const seconds = Math.max(report.seconds, 1e-9);
  const passes = report.passes > 1 ? `, ${report.passes} passes` : '';
  const lines = [
    `${report.name ?? 'pipeline'}: ${formatCount(report.rowsRead)} rows (${formatBytes(report.bytesRead / report.passes)}) ` +
      `from ${report.source.path} [${report.source.format}, ${report.source.backend}${passes}] in ${report.seconds.toFixed(2)} s — ` +
      `${formatRate(report.bytesRead / seconds, 'B')}, ${formatRate((report.rowsRead * report.passes) / seconds, ' rows')}, ` +
      `peak RSS ${formatBytes(peakRssBytes())}`,
  ];
  if (report.shards) {
    const { total, done, reused, retried } = report.shards;
    lines.push(`  shards: ${done}/${total} done, ${reused} reused, ${retried} retried`);
  }
  const label = (s: RunReport['sinks'][number]) => (s.name ? `${s.type} ${s.name}` : s.type);
  const width = Math.max(...report.sinks.map((s) => label(s).length));
  for (const sink of report.sinks) {
    const head = `  ${label(sink).padEnd(width)}  ${sink.pointer}  ${formatCount(sink.rows)} rows`;
    if (sink.outputs.length) {
      lines.push(`${head} → ${sink.outputs.join(', ')}`);
      continue;
    }
    // No file keeps this result: show it.
    lines.push(`${head}:`, ...formatResult(sink.result));
  }
  return lines.join('\n');
}

/** The JSON summary `--json` prints: exactly one object. */
export function toJsonSummary(report: RunReport): Record<string, unknown> {
  return {
    ok: true,
    name: report.name,
    source: report.source,
    rowsRead: report.rowsRead,
    bytesRead: report.bytesRead,
    seconds: report.seconds,
    passes: report.passes,
    overlap: report.overlap,
    ...(report.threads === undefined ? {} : { threads: report.threads }),
    sinks: report.sinks.map(({ type, name, pointer, rows, outputs, result }) => ({
      type,
      ...(name === undefined ? {} : { name }),
      pointer,
      rows,
      outputs,
      result: toJson(result),
    })),
    outputs: report.sinks.flatMap((s) => s.outputs),
    peakRssBytes: peakRssBytes(),
    ...(report.shards ? { shards: report.shards } : {}),
  };
}

/** A result as plain JSON data: bigints as strings, typed arrays as arrays. */
function toJson(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value, resultJsonReplacer)) as unknown);
}

/**
 * `error CODE: message`, then where and how to fix it; the stack only when verbose. An error
 * listing several problems (a spec checked in one go) prints each at its `file:line:column`.
 */
export function formatError(error: unknown, verbose: boolean): string {
  if (error instanceof SluiceError && error.problems && error.problems.length > 1) {
    return formatProblems(error, verbose);
  }
  if (!(error instanceof SluiceError)) {
    const text = error instanceof Error ? error.message : String(error);
    const stack = verbose && error instanceof Error && error.stack ? `\n${error.stack}` : '';
    return `error: ${text}${stack}${verbose ? '' : '\n  (run with --verbose for the stack trace)'}`;
  }
  const lines = [`error ${error.code}: ${error.message}`];
  if (error.location) lines.push(`  at ${error.location}`);
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  if (verbose) {
    lines.push(error.stack ?? '');
    if (error.cause instanceof Error && error.cause.stack) lines.push(`caused by: ${error.cause.stack}`);
  }
  return lines.join('\n');
}

/** Each problem at its `file:line:column`, in the order of the file. */
function formatProblems(error: SluiceError, verbose: boolean): string {
  const problems = [...(error.problems ?? [])].sort(
    (a, b) =>
      (a.path ?? '').localeCompare(b.path ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
  const lines = problems.flatMap((problem) => [
    `${problem.location ? `${problem.location}: ` : ''}error ${problem.code}: ${problem.message}`,
    ...(problem.hint ? [`  hint: ${problem.hint}`] : []),
  ]);
  const notListed = error.message.match(/\((\S+) more not listed\)$/)?.[1];
  const total = problems.length + (notListed ? Number(notListed.replace(/,/g, '')) : 0);
  lines.push(
    `${formatCount(total)} problems${error.path ? ` in ${error.path}` : ''}${notListed ? ` (${notListed} not listed)` : ''}`,
  );
  if (verbose) lines.push(error.stack ?? '');
  return lines.join('\n');
}

/** Typed-array values for printing: bigints as strings, floats as they are. */
export function toPrintable(values: ArrayLike<number | bigint>): (number | string)[] {
  return Array.from(values, (v) => (typeof v === 'bigint' ? v.toString() : v));
}

const STATUS_TEXT = { ok: 'ok', skipped: 'skipped', failed: 'FAILED', planned: 'would run' } as const;

/** `[2/5] ok       runs/b.epos → out/b.h5 (1,234 rows, 0.12 s)` */
export function formatFileOutcome(outcome: FileOutcome, index: number, total: number): string {
  const head = `[${index + 1}/${total}] ${STATUS_TEXT[outcome.status].padEnd(9)} ${outcome.input}`;
  const outputs = outcome.outputs.join(', ') || '(no files)';
  switch (outcome.status) {
    case 'ok':
      return `${head} → ${outputs} (${formatCount(outcome.report?.rowsRead ?? 0)} rows, ${(outcome.report?.seconds ?? 0).toFixed(2)} s)`;
    case 'skipped':
      return `${head} (outputs exist: ${outputs}; --overwrite replaces them)`;
    case 'planned':
      return `${head} → ${outputs}`;
    case 'failed':
      return `${head}: ${outcome.error?.code ?? 'error'}: ${outcome.error?.message ?? ''}`;
  }
}

/** `total: 5 files — 3 ok, 1 skipped, 1 failed; 12,345 rows in 1.20 s` */
export function formatManySummary(report: ManyReport): string {
  const { ok, skipped, failed, planned } = report.counts;
  const rows = report.files.reduce((sum, f) => sum + (f.report?.rowsRead ?? 0), 0);
  const parts = [`${ok} ok`, `${skipped} skipped`, `${failed} failed`];
  if (planned) parts.push(`${planned} would run (dry run: nothing written)`);
  return `total: ${report.files.length} files — ${parts.join(', ')}; ${formatCount(rows)} rows in ${report.seconds.toFixed(2)} s`;
}

export function toManyJson(report: ManyReport): Record<string, unknown> {
  return {
    ok: report.counts.failed === 0,
    seconds: report.seconds,
    counts: report.counts,
    files: report.files.map((f) => ({
      input: f.input,
      status: f.status,
      outputs: f.outputs,
      ...(f.report ? { summary: toJsonSummary(f.report) } : {}),
      ...(f.error ? { error: f.error.toJSON() } : {}),
    })),
  };
}
