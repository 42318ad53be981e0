/**
 * Issue 14's table, measured as the issue did: each row is `bin/sluice.js run SPEC --json` in
 * its own process, as a user runs it (the compiled CLI: `npm run bench` builds dist/ first),
 * beside the baseline a user would pick, in its own process, in the same run, with the input
 * in the page cache. Repeats are interleaved (baseline, sluice, baseline, sluice…) and the best
 * of each by wall time is kept. Ratios are sluice's whole-process wall time over the baseline's
 * (DuckDB: over its COPY alone, the issue's "write alone"), so lower is better.
 *
 * Prints one line per run, the best of each row, then the table in the issue's shape (work |
 * sluice | baseline | ratio | goal | met?) and the disk's floor: the largest output's bytes
 * written as sluice writes them and fsync'ed, with nothing computed.
 *
 *   npm run bench -- table      (this table only; `npm run bench` runs it after the others)
 *   npm run bench -- table 4 5  (rows 4 and 5 only, numbered as in the issue)
 *   BENCH_REPEATS=n             repeats of every row (default 3, the EPOS rows 2)
 *   BENCH_PANDAS_INDEX=1        the pandas baseline also builds PyTables column indexes
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { writeEpos } from '../scripts/sample-epos.ts';
import { writeFloor } from './epos.ts';
import { writeFloat32Npy } from './files.ts';
import type { ProcessRun } from './measure-process.ts';
import { bestRun, distIsCurrent, runProcess, warmPageCache } from './measure-process.ts';
import type { Goal, TableCase } from './table-cases.ts';
import {
  BASELINE_OUTPUTS,
  RUN_DIR,
  EPOS_BYTES,
  FLOAT32_BYTES,
  INPUTS,
  SCALE,
  SMALL_EPOS_IONS,
  tableCases,
} from './table-cases.ts';

interface RowResult {
  readonly row: TableCase;
  readonly sluice: ProcessRun;
  readonly baseline?: ProcessRun;
  /** Bytes of each output of the last run. */
  readonly outputBytes: number[];
  /** Why there is no baseline: its tools are missing, or it failed. */
  readonly baselineMissing?: string;
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '?' : `${Math.round(bytes / 2 ** 20)} MiB`);
const secs = (s: number) => `${s.toFixed(2)} s`;

/** sluice's peak RSS as its report gives it (the whole process, threads included). */
function sluiceRss(run: ProcessRun): number | undefined {
  return typeof run.report.peakRssBytes === 'number' ? run.report.peakRssBytes : run.maxRssBytes;
}

function baselineSeconds(row: TableCase, run: ProcessRun): number {
  return row.baseline.seconds ? row.baseline.seconds(run) : run.wallSeconds;
}

function baselineRss(run: ProcessRun): number | undefined {
  return run.maxRssBytes ?? (run.report.maxRssBytes as number | undefined);
}

function writeSpec(row: TableCase, index: number): string {
  const path = join(RUN_DIR, `row-${index + 1}.yaml`);
  writeFileSync(path, stringify(row.spec));
  return path;
}

/** One line per run: wall, the work inside the process, CPU, peak RSS. */
function runLine(label: string, run: ProcessRun, inner: unknown, rss: number | undefined): string {
  const innerText = typeof inner === 'number' ? `, ${secs(inner)} inside` : '';
  const cpu = run.cpuSeconds === undefined ? '' : `, cpu ${secs(run.cpuSeconds)}`;
  return `    ${label.padEnd(8)} ${secs(run.wallSeconds).padStart(8)} wall${innerText}${cpu}, peak RSS ${mib(rss)}`;
}

async function measureRow(row: TableCase, index: number): Promise<RowResult> {
  console.log(`\n  ${row.work}  (best of ${row.repeats}; load average ${loadavg()[0].toFixed(1)})`);
  if (!distIsCurrent()) {
    console.log('    WARNING: src/ is newer than dist/: bin/sluice.js runs src/ through tsx (npm run build)');
  }
  const spec = writeSpec(row, index);
  await warmPageCache(row.input);
  const sluiceRuns: ProcessRun[] = [];
  const baselineRuns: ProcessRun[] = [];
  const command = row.baseline.command;
  let baselineFailure: string | undefined;
  const runBaseline = () => {
    if (!command) return;
    try {
      const run = runProcess(command[0], command[1]);
      baselineRuns.push(run);
      console.log(runLine('baseline', run, run.report.seconds, baselineRss(run)));
    } catch (error) {
      // sluice's figures are still worth printing without it.
      baselineFailure = String(error).slice(0, 2000);
      console.log(`    baseline FAILED: ${baselineFailure}`);
    } finally {
      for (const path of BASELINE_OUTPUTS) rmSync(path, { force: true });
    }
  };
  try {
    for (let r = 0; r < row.repeats; r++) {
      if (!row.baseline.afterSluice) runBaseline();
      for (const path of row.outputs) rmSync(path, { force: true });
      const run = runProcess('bin/sluice.js', ['run', spec, '--json', '--overwrite']);
      sluiceRuns.push(run);
      console.log(runLine('sluice', run, run.report.seconds, sluiceRss(run)));
      if (row.baseline.afterSluice) runBaseline();
    }
  } finally {
    rmSync(spec, { force: true });
  }
  if (!command) console.log(`    baseline skipped: ${row.baseline.skipped}`);
  const sluice = bestRun(sluiceRuns);
  // Peak RSS: the largest any run reported.
  const rss = Math.max(...sluiceRuns.map((r) => sluiceRss(r) ?? 0));
  const outputBytes = row.outputs.map((path) => statSync(path).size);
  return {
    row,
    sluice: { ...sluice, report: { ...sluice.report, peakRssBytes: rss } },
    ...(baselineRuns.length
      ? { baseline: bestBaseline(row, baselineRuns) }
      : { baselineMissing: command ? 'failed' : `skipped (${row.baseline.skipped})` }),
    outputBytes,
  };
}

/** The baseline's best run by the time the ratio uses, with the largest peak RSS seen. */
function bestBaseline(row: TableCase, runs: ProcessRun[]): ProcessRun {
  const fastest = runs.reduce((a, b) => (baselineSeconds(row, b) < baselineSeconds(row, a) ? b : a));
  const rss = Math.max(...runs.map((r) => baselineRss(r) ?? 0));
  return { ...fastest, maxRssBytes: rss };
}

function goalText(goal: Goal): string {
  return `≤ ${goal.ratio}×${goal.rssMiB ? `, ≤ ${goal.rssMiB} MiB` : ''}`;
}

/** The row of the markdown table. */
function tableRow({ row, sluice, baseline, baselineMissing }: RowResult): string {
  const rss = sluiceRss(sluice);
  const rssOk = row.goal.rssMiB === undefined || (rss !== undefined && rss <= row.goal.rssMiB * 2 ** 20);
  const sluiceCell = `${secs(sluice.wallSeconds)}, ${mib(rss)}`;
  if (!baseline) {
    const met = row.goal.rssMiB === undefined ? '–' : rssOk ? 'RSS yes, time not measured' : 'no (RSS)';
    return `| ${row.work} | ${sluiceCell} | ${row.baseline.label}: ${baselineMissing} | – | ${goalText(row.goal)} | ${met} |`;
  }
  const base = baselineSeconds(row, baseline);
  const ratio = sluice.wallSeconds / base;
  const timeOk = ratio <= row.goal.ratio;
  const met =
    timeOk && rssOk ? 'yes' : `no (${[timeOk ? '' : 'time', rssOk ? '' : 'RSS'].filter(Boolean).join(', ')})`;
  const baselineCell = `${row.baseline.label}: ${secs(base)}, ${mib(baselineRss(baseline))}`;
  return `| ${row.work} | ${sluiceCell} | ${baselineCell} | ${ratio.toFixed(2)}× | ${goalText(row.goal)} | ${met} |`;
}

function summaryLine(result: RowResult): string {
  const { row, sluice, baseline } = result;
  if (!baseline)
    return `    best: sluice ${secs(sluice.wallSeconds)}, ${mib(sluiceRss(sluice))}; no baseline`;
  const base = baselineSeconds(row, baseline);
  const cpu =
    sluice.cpuSeconds !== undefined && baseline.cpuSeconds !== undefined
      ? `; CPU time ${sluice.cpuSeconds.toFixed(2)} s vs ${baseline.cpuSeconds.toFixed(2)} s`
      : '';
  const { rssBeforeCopyBytes, source } = baseline.report;
  const extra =
    typeof rssBeforeCopyBytes === 'number'
      ? ` (DuckDB held ${mib(rssBeforeCopyBytes)} with the table loaded, before the COPY; ` +
        `rows ${source === 'sluice' ? "read from sluice's output" : "generated: it could not read sluice's output"})`
      : '';
  return (
    `    best: sluice ${secs(sluice.wallSeconds)}, ${mib(sluiceRss(sluice))}; baseline ${secs(base)}, ` +
    `${mib(baselineRss(baseline))}${extra}; ratio ${(sluice.wallSeconds / base).toFixed(2)}× ` +
    `(goal ${goalText(row.goal)})${cpu}`
  );
}

/** The disk's floor: the largest output's bytes written as sluice writes them, fsync'ed. */
async function printFloor(results: RowResult[]): Promise<void> {
  const outputs = results.flatMap((r) => r.row.outputs.map((path, i) => ({ path, bytes: r.outputBytes[i] })));
  if (outputs.length === 0) return;
  const largest = outputs.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const seconds = await writeFloor(join(RUN_DIR, 'floor.bin'), largest.bytes);
  const rate = largest.bytes / seconds;
  console.log(
    `\nThe disk's floor in this run: ${(largest.bytes / 1e9).toFixed(2)} GB (the largest output) written as ` +
      `sluice writes it (staged, O_DIRECT where possible) and fsync'ed, nothing computed: ${secs(seconds)} ` +
      `(${(rate / 1e9).toFixed(2)} GB/s). At that rate, no writer can do better than:`,
  );
  for (const { path, bytes } of outputs) {
    console.log(
      `  ${path.slice(RUN_DIR.length + 1)}: ${(bytes / 1e6).toFixed(0)} MB ≥ ${secs(bytes / rate)}`,
    );
  }
}

/** The fixed cost in every sluice row: the CLI's start-up and exit, beside a bare node's. */
function printStartup(): void {
  const best = (command: string, args: string[]) =>
    bestRun([1, 2, 3].map(() => runProcess(command, args))).wallSeconds;
  console.log(
    `start-up: \`bin/sluice.js --version\` ${secs(best('bin/sluice.js', ['--version']))}, ` +
      `\`node -e 0\` ${secs(best(process.execPath, ['-e', '0']))} (best of 3, whole processes)`,
  );
}

/** Makes the inputs the rows read (only those). */
function makeInputs(cases: readonly TableCase[]): void {
  const needed = new Set(cases.map((row) => row.input));
  console.log(
    `making the inputs in ${RUN_DIR}: ${[...needed].map((path) => path.slice(RUN_DIR.length + 1)).join(', ')}`,
  );
  if (SCALE !== 1)
    console.log(`BENCH_TABLE_SCALE=${SCALE}: every input is scaled; the rows' sizes are not the issue's`);
  if (needed.has(INPUTS.float32)) writeFloat32Npy(INPUTS.float32, FLOAT32_BYTES);
  if (needed.has(INPUTS.epos)) writeEpos(INPUTS.epos, Math.floor(EPOS_BYTES / 44));
  if (needed.has(INPUTS.smallEpos)) writeEpos(INPUTS.smallEpos, SMALL_EPOS_IONS);
}

/** How to read the table, printed under it. */
function printConventions(): void {
  console.log(
    "\nTimes are whole processes (start-up included), best of the repeats; the ratio is sluice's time over " +
      "the baseline's (DuckDB: its COPY alone). Peak RSS of the numpy and scipy baselines counts the pages of " +
      "the memory-mapped input; DuckDB's counts the table it loaded before the COPY.",
  );
}

/**
 * Measures the rows numbered `only` (1-based, in the issue's order), or all of them, and prints
 * the table.
 */
export async function benchTable(only: readonly number[] = []): Promise<void> {
  const cases = tableCases().filter((_, i) => only.length === 0 || only.includes(i + 1));
  console.log(
    `\nissue 14's table: whole processes, page cache warm, ${cpus().length} cores, ` +
      `load average ${loadavg()[0].toFixed(1)}, node ${process.version}`,
  );
  const results: RowResult[] = [];
  try {
    mkdirSync(RUN_DIR, { recursive: true });
    printStartup();
    makeInputs(cases);
    const failed: string[] = [];
    for (const [index, row] of cases.entries()) {
      try {
        const result = await measureRow(row, index);
        console.log(summaryLine(result));
        results.push(result);
      } catch (error) {
        // One broken row (a tree being edited, a missing tool) must not hide the others' figures.
        console.log(`    FAILED: ${String(error).slice(0, 2000)}`);
        failed.push(`| ${row.work} | failed | ${row.baseline.label} | – | ${goalText(row.goal)} | – |`);
      }
    }
    console.log('\n| work | sluice | baseline | ratio | goal | met? |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const result of results) console.log(tableRow(result));
    for (const line of failed) console.log(line);
    printConventions();
    await printFloor(results);
  } finally {
    rmSync(RUN_DIR, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchTable(process.argv.slice(2).map(Number));
}
