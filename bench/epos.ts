/**
 * Issue 4's atom-probe figures over a generated 1.2 GB EPOS (27.3 M ions):
 *   - the `m/n (Da)` histogram (1000 bins), in GB/s of EPOS file;
 *   - EPOS → to-pyccapt → reflectron (4000XHR preset) → HDF5 table: seconds and peak RSS
 *     (targets: under 3 s, a tenth of PyCCAPT's published 30 s, and under 150 MB).
 * `npm run bench` runs it after the other cases; `tsx bench/epos.ts` runs it alone. Each case
 * runs in its own process (`tsx bench/epos.ts case NAME FILE OUT`) so its peak RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run } from '../src/pipeline/api.ts';
import { writeEpos } from '../scripts/sample-epos.ts';
import { BENCH_DIR } from './files.ts';

const EPOS_BYTES = 1.2e9;
const RECORD = 44;

interface CaseResult {
  seconds: number;
  bytes: number;
  maxRssBytes: number;
}

async function runCase(name: string, file: string, out: string): Promise<CaseResult> {
  const source = {
    type: 'epos',
    path: file,
    ...(process.env.BENCH_IO ? { io: process.env.BENCH_IO } : {}),
    ...(process.env.BENCH_CHUNK_ROWS ? { chunkRows: Number(process.env.BENCH_CHUNK_ROWS) } : {}),
  };
  const report =
    name === 'histogram'
      ? await run({
          source: { ...source, columns: ['m/n (Da)'] },
          sinks: [{ type: 'histogram', column: 'm/n (Da)', bins: 1000, range: [0, 200] }],
        })
      : await run(
          {
            source,
            steps: [{ type: 'to-pyccapt' }, { type: 'reflectron', preset: '4000XHR_Erlangen_56_4833' }],
            sinks: [{ type: 'hdf5', out, layout: 'columns', group: 'df' }],
          },
          { overwrite: true },
        );
  return {
    seconds: report.seconds,
    bytes: statSync(file).size,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function measure(name: string, file: string, out: string): CaseResult {
  const text = execFileSync(process.execPath, ['--import', 'tsx', 'bench/epos.ts', 'case', name, file, out], {
    encoding: 'utf8',
  });
  return JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as CaseResult;
}

export function benchEpos(): void {
  const file = join(BENCH_DIR, 'sluice-bench-1.2gb.epos');
  const out = join(BENCH_DIR, 'sluice-bench-corrected.h5');
  const ions = Math.floor(EPOS_BYTES / RECORD);
  try {
    console.log(
      `\natom probe: a generated ${(EPOS_BYTES / 1e9).toFixed(1)} GB EPOS (${ions.toLocaleString('en')} ions)`,
    );
    writeEpos(file, ions);
    measure('histogram', file, out); // warms the page cache and the kernels' first compile
    const hist = measure('histogram', file, out);
    console.log(
      `  m/n histogram, 1000 bins      ${(hist.bytes / hist.seconds / 1e9).toFixed(2)} GB/s  ${hist.seconds.toFixed(2)} s  peak RSS ${(hist.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    const corr = measure('reflectron', file, out);
    const verdict = corr.seconds < 3 && corr.maxRssBytes < 150e6 ? 'ok' : 'OVER a target (3 s, 150 MB)';
    console.log(
      `  to-pyccapt + reflectron → HDF5 ${corr.seconds.toFixed(2)} s  peak RSS ${(corr.maxRssBytes / 2 ** 20).toFixed(0)} MiB  (PyCCAPT: 30 s, 268 MB)  ${verdict}`,
    );
  } finally {
    rmSync(file, { force: true });
    rmSync(out, { force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [mode, name, file, out] = process.argv.slice(2);
  if (mode === 'case') process.stdout.write(`${JSON.stringify(await runCase(name, file, out))}\n`);
  else benchEpos();
}
