/**
 * One measured case, run in its own process so its peak RSS is its own:
 *   tsx bench/stats-case.ts FILE IO CHUNK_ROWS
 * Prints one JSON line: seconds, bytes, rows, maxRssBytes.
 */
import { run } from '../src/pipeline/api.ts';
import { writeOddLengthWarmup } from './files.ts';

const [file, io, chunkRowsText] = process.argv.slice(2);
const chunkRows = Number(chunkRowsText ?? 1 << 20);

async function statsOnce(path: string): Promise<{ seconds: number; bytes: number; rows: number }> {
  const report = await run({
    source: { type: 'npy', path, io, chunkRows },
    sinks: [{ type: 'stats' }],
  });
  return { seconds: report.seconds, bytes: report.bytesRead, rows: report.rowsRead };
}

// V8 can de-optimise a kernel whose tail loop never ran: warm it on an odd length first.
const warmup = await writeOddLengthWarmup();
await statsOnce(warmup);
const measured = await statsOnce(file);
process.stdout.write(
  `${JSON.stringify({ ...measured, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
