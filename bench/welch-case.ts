/**
 * One measured Welch run, in its own process so its peak RSS is its own:
 *   tsx bench/welch-case.ts FILE CHUNK_ROWS [FFT=float64|float32] [WORKERS]
 * Prints one JSON line: seconds, bytes, rows, segments, maxRssBytes.
 */
import { run } from '../src/pipeline/api.ts';
import { writeOddLengthWarmup } from './files.ts';

const [file, chunkRowsText, fft = 'float64', workersText] = process.argv.slice(2);
const chunkRows = Number(chunkRowsText ?? 1 << 20);
const workers = workersText === undefined ? undefined : Number(workersText);

async function welchOnce(path: string) {
  const report = await run(
    {
      source: { type: 'npy', path, chunkRows, sampleRate: 1 },
      sinks: [{ type: 'welch', nperseg: 4096, noverlap: 2048, window: 'hann', fft }],
    },
    { workers },
  );
  const { segments } = report.sinks[0].result as { segments: number };
  return { seconds: report.seconds, bytes: report.bytesRead, rows: report.rowsRead, segments };
}

// Warm the JIT on a small odd-length file first, as the stats bench does.
await welchOnce(await writeOddLengthWarmup());
const measured = await welchOnce(file);
process.stdout.write(
  `${JSON.stringify({ ...measured, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
