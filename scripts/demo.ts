/**
 * `npm start`: makes the sample data if it is absent, runs pipelines/demo.yaml over the sample
 * signal and pipelines/epos-mass-spectrum.yaml over the sample EPOS, prints what they found and
 * where they wrote it, and writes both runs' HTML report to out/report.html.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatError, formatRunSummary } from '../src/cli/format.ts';
import { createProgressDisplay } from '../src/cli/progress.ts';
import { packageVersion, peakRssBytes } from '../src/core/runtime-info.ts';
import { reportFile } from '../src/pipeline/run-report.ts';
import { runPlan } from '../src/pipeline/api.ts';
import type { RunOptions, RunReport } from '../src/pipeline/run-types.ts';
import { loadSpecFile } from '../src/pipeline/spec-document.ts';
import { validateSpec } from '../src/pipeline/validate.ts';
import type { ReportPipeline } from '../src/report/report-types.ts';
import { writeReport } from '../src/report/write-report.ts';
import { registry } from '../src/stages.ts';
import { SAMPLE_EPOS, SAMPLE_SIGNAL, ensureSampleEpos, ensureSampleSignal } from './sample-data.ts';

interface StatsResult {
  columns: Record<string, { count: number; mean: number; std: number; min: number; max: number }>;
}
interface HistogramResult {
  edges: number[];
  counts: number[];
}
interface QuantilesResult {
  columns: Record<
    string,
    { median: number | string | null; quantiles: Record<string, number | string | null> }
  >;
}
interface PsdResult {
  frequencies: number[];
  psd: number[];
  segments: number;
}

/** The `count` largest local maxima of `psd`, at least `minBins` apart, strongest first. */
export function findPeaks(psd: readonly number[], count: number, minBins = 8): number[] {
  const order = psd.map((_, k) => k).sort((a, b) => psd[b] - psd[a]);
  const peaks: number[] = [];
  for (const k of order) {
    if (peaks.length === count) break;
    if (peaks.every((p) => Math.abs(p - k) >= minBins)) peaks.push(k);
  }
  return peaks;
}

/** The count-weighted mean of the bin centres within `half` bins of bin k. */
export function centroid(h: HistogramResult, k: number, half: number): number {
  let sum = 0;
  let weight = 0;
  for (let i = Math.max(0, k - half); i <= Math.min(h.counts.length - 1, k + half); i++) {
    sum += (h.counts[i] * (h.edges[i] + h.edges[i + 1])) / 2;
    weight += h.counts[i];
  }
  return weight > 0 ? sum / weight : (h.edges[k] + h.edges[k + 1]) / 2;
}

/** The counts within `half` bins of bin k. */
function peakCount(h: HistogramResult, k: number, half: number): number {
  let total = 0;
  for (let i = Math.max(0, k - half); i <= Math.min(h.counts.length - 1, k + half); i++) total += h.counts[i];
  return total;
}

/** Where `npm start` writes the report of its two runs. */
export const DEMO_REPORT = 'out/report.html';

/** The runs so far, and what they logged, for the report. */
interface DemoRuns {
  readonly pipelines: ReportPipeline[];
  readonly messages: string[];
}

/** Runs a spec (overwriting its outputs) and keeps what the report shows of it. */
async function runForReport(
  path: string,
  runs: DemoRuns,
  options: { readonly set?: Record<string, string>; readonly onProgress?: RunOptions['onProgress'] } = {},
): Promise<RunReport> {
  const spec = await loadSpecFile(path, { set: options.set });
  const plan = validateSpec(spec, registry);
  const report = await runPlan(plan, {
    overwrite: true,
    onProgress: options.onProgress,
    log: (message) => runs.messages.push(message),
  });
  const outputs = report.sinks.flatMap((sink) => sink.outputs);
  runs.pipelines.push({
    name: plan.name ?? path,
    specPath: path,
    spec: spec.value,
    files: [reportFile({ input: report.source.path, status: 'ok', outputs, report }, plan)],
  });
  return report;
}

async function main(): Promise<void> {
  const started = performance.now();
  const createdAt = new Date();
  if (ensureSampleSignal()) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `created ${SAMPLE_SIGNAL.path} (${SAMPLE_SIGNAL.samples} float32 samples at 1 MHz) in ${seconds} s`,
    );
  } else {
    console.log(`using ${SAMPLE_SIGNAL.path}`);
  }
  const runs: DemoRuns = { pipelines: [], messages: [] };
  const runsStarted = performance.now();
  const progress = createProgressDisplay(true);
  const report = await runForReport('pipelines/demo.yaml', runs, { onProgress: (p) => progress.update(p) });
  progress.stop();
  console.log(formatRunSummary(report));
  const stats = report.sinks[0].result as StatsResult;
  const value = stats.columns.value;
  console.log(
    `  value: mean ${value.mean.toFixed(4)}, std ${value.std.toFixed(4)}, min ${value.min.toFixed(3)}, max ${value.max.toFixed(3)}`,
  );
  const histogram = report.sinks[1].result as HistogramResult;
  const peak = histogram.counts.indexOf(Math.max(...histogram.counts));
  console.log(
    `  histogram: ${histogram.counts.length} bins over [${histogram.edges[0].toFixed(3)}, ${histogram.edges.at(-1)?.toFixed(3)}], ` +
      `fullest bin [${histogram.edges[peak].toFixed(3)}, ${histogram.edges[peak + 1].toFixed(3)}) with ${histogram.counts[peak]} samples`,
  );
  const welch = report.sinks[2].result as PsdResult;
  const tones = findPeaks(welch.psd, 2).map(
    (k) =>
      `${(welch.frequencies[k] / 1e3).toFixed(2)} kHz (${(10 * Math.log10(welch.psd[k])).toFixed(1)} dB)`,
  );
  console.log(
    `  welch PSD: ${welch.segments} segments of 4096, ${welch.psd.length} bins; tone peaks at ${tones.join(' and ')}`,
  );
  console.log(`  plot: ${report.sinks[2].outputs.join(', ')}`);
  await massSpectrum(runs);
  await writeReport(
    DEMO_REPORT,
    {
      title: 'sluice demo',
      pipelines: runs.pipelines,
      version: packageVersion(),
      createdAt,
      seconds: (performance.now() - runsStarted) / 1000,
      peakRssBytes: peakRssBytes(),
      messages: runs.messages,
    },
    { overwrite: true },
  );
  console.log(`\nreport: ${DEMO_REPORT} (open ${pathToFileURL(resolve(DEMO_REPORT)).href} in a browser)`);
  console.log(`\n${NEXT_STEP}`);
}

/** The one line `npm start` ends with: what to try next, on the user's own file. */
export const NEXT_STEP =
  'Next, your own file: npx sluice inspect YOUR_FILE, then npx sluice run pipelines/demo.yaml --set source.path=YOUR_FILE.npy --overwrite (pipelines/epos-mass-spectrum.yaml for .epos)';

/** The atom-probe half: the mass spectrum of the synthetic EPOS, its peaks and its plot. */
async function massSpectrum(runs: DemoRuns): Promise<void> {
  const started = performance.now();
  if (ensureSampleEpos()) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`\ncreated ${SAMPLE_EPOS.path} (${SAMPLE_EPOS.ions} ions) in ${seconds} s`);
  } else {
    console.log(`\nusing ${SAMPLE_EPOS.path}`);
  }
  const report = await runForReport('pipelines/epos-mass-spectrum.yaml', runs, {
    set: { 'source.path': SAMPLE_EPOS.path },
  });
  console.log(formatRunSummary(report));
  const histogram = report.sinks[0].result as HistogramResult;
  // Peaks at least 3 bins (0.6 Da) apart, so neighbours such as 27 and 28 Da stay apart; each
  // placed at the count-weighted centre of its bin and two neighbours either side.
  const peaks = findPeaks(histogram.counts, 4, 8)
    .map((k) => ({ at: centroid(histogram, k, 2), ions: peakCount(histogram, k, 2) }))
    .sort((a, b) => a.at - b.at)
    .map((p) => `${p.at.toFixed(2)} Da (${p.ions} ions)`);
  console.log(`  ${report.rowsRead} ions; mass spectrum peaks at ${peaks.join(', ')}`);
  const { median, quantiles } = (report.sinks[2].result as QuantilesResult).columns[0];
  console.log(
    `  m/n median ${Number(median).toFixed(2)} Da, quartiles ${Number(quantiles['0.25']).toFixed(2)} and ${Number(quantiles['0.75']).toFixed(2)} Da`,
  );
  console.log(`  plots: ${[...report.sinks[0].outputs, ...report.sinks[1].outputs].join(', ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(formatError(error, process.argv.includes('--verbose')));
    process.exitCode = 1;
  });
}
