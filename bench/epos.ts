/**
 * Issue 4's atom-probe figures over a generated 1.2 GB EPOS (27.3 M ions):
 *   - the `m/n (Da)` histogram (1000 bins), in GB/s of EPOS file;
 *   - EPOS → to-pyccapt → reflectron (4000XHR preset) → HDF5 table: seconds and peak RSS
 *     (targets: under 3 s, a tenth of PyCCAPT's published 30 s, and under 150 MB).
 * `npm run bench` runs it after the other cases; `tsx bench/epos.ts` runs it alone. Each case
 * runs in its own process (`tsx bench/epos.ts case NAME FILE OUT`) so its peak RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run } from '../src/pipeline/api.ts';
import { BENCH_DIR } from './files.ts';

const EPOS_BYTES = 1.2e9;
const RECORD = 44;

/** A big-endian EPOS of `ions` records: ions spread over a 35 mm detector, a few mass peaks. */
export function writeEpos(path: string, ions: number): void {
  const perChunk = 1 << 16;
  const buffer = new ArrayBuffer(perChunk * RECORD);
  const view = new DataView(buffer);
  const fd = openSync(path, 'w');
  let seed = 987654321;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  try {
    for (let start = 0; start < ions; start += perChunk) {
      const n = Math.min(perChunk, ions - start);
      for (let i = 0; i < n; i++) {
        const o = i * RECORD;
        const r = 35 * Math.sqrt(random());
        const phi = 2 * Math.PI * random();
        const mass = [12, 27, 28, 56][(random() * 4) | 0] * (1 + (random() - 0.5) * 0.01);
        view.setFloat32(o, r * 0.1, false);
        view.setFloat32(o + 4, phi, false);
        view.setFloat32(o + 8, (start + i) * 1e-6, false);
        view.setFloat32(o + 12, mass, false);
        view.setFloat32(o + 16, 300 + mass * 10, false);
        view.setFloat32(o + 20, 5000 + (start + i) * 1e-4, false);
        view.setFloat32(o + 24, 1000, false);
        view.setFloat32(o + 28, r * Math.cos(phi), false);
        view.setFloat32(o + 32, r * Math.sin(phi), false);
        view.setUint32(o + 36, (random() * 1000) | 0, false);
        view.setUint32(o + 40, 1, false);
      }
      writeSync(fd, new Uint8Array(buffer, 0, n * RECORD));
    }
  } finally {
    closeSync(fd);
  }
}

interface CaseResult {
  seconds: number;
  bytes: number;
  maxRssBytes: number;
}

async function runCase(name: string, file: string, out: string): Promise<CaseResult> {
  const source = { type: 'epos', path: file, ...(process.env.BENCH_IO ? { io: process.env.BENCH_IO } : {}) };
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
