/**
 * `npm start`: makes the sample data if it is absent, runs pipelines/demo.yaml and prints
 * what it found and where it wrote it.
 */
import { runSpec } from '../src/pipeline/api.ts';
import { formatError, formatRunSummary } from '../src/cli/format.ts';
import { createProgressDisplay } from '../src/cli/progress.ts';
import { SAMPLE_SIGNAL, ensureSampleSignal } from './sample-data.ts';

interface StatsResult {
  columns: Record<string, { count: number; mean: number; std: number; min: number; max: number }>;
}
interface HistogramResult {
  edges: number[];
  counts: number[];
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

async function main(): Promise<void> {
  const started = performance.now();
  if (ensureSampleSignal()) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `created ${SAMPLE_SIGNAL.path} (${SAMPLE_SIGNAL.samples} float32 samples at 1 MHz) in ${seconds} s`,
    );
  } else {
    console.log(`using ${SAMPLE_SIGNAL.path}`);
  }
  const progress = createProgressDisplay(true);
  const report = await runSpec('pipelines/demo.yaml', {
    overwrite: true,
    onProgress: (p) => progress.update(p),
  });
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
}

main().catch((error: unknown) => {
  console.error(formatError(error, process.argv.includes('--verbose')));
  process.exitCode = 1;
});
