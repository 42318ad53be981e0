/**
 * docs/design.md §8, when things go wrong: a worker killed mid-shard (its job runs again on another
 * worker once its lock lapses), the submitting `sluice run` killed and run again (the finished
 * shards are reused), and a shard on bad data (the run fails with that shard's typed error and
 * the run's other jobs leave the queue). Outputs are compared with the local run, byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueServer, WorkerProcess } from '../../bench/cluster-servers.ts';
import { startWorker, stopWorkers } from '../../bench/cluster-servers.ts';
import { writeFloat32Npy } from '../../bench/files.ts';
import { openQueue } from '../../src/cluster/queue-connection.ts';
import { parseQueueUrl } from '../../src/cluster/queue-url.ts';
import { runCli } from '../support/cli.ts';
import {
  BACKENDS,
  backendTitle,
  jsonOf,
  outputFiles,
  queueUrl,
  spawnCli,
  writeSpec,
} from './cluster-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-fail-'));
const input = join(dir, 'signal.npy');
writeFloat32Npy(input, 1_200_000 * 4);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two passes (the histogram's range, the quantiles' sketch), both exact today. */
const SPEC = `
source: { type: npy, path: ${input}, chunkRows: 20000 }
sinks:
  - { type: histogram, column: value, bins: 64, out: '{out}/hist.json' }
  - { type: quantiles, exact: true, q: [0.05, 0.5, 0.95], out: '{out}/quantiles.json' }
`;
const SHARD_ROWS = '40000';
/** Workers' locks: a killed worker's job runs again after 2–4 s. */
const LOCK_SECONDS = 2;

let local: Map<string, Buffer>;
beforeAll(async () => {
  const result = await runCli(['run', writeSpec(dir, 'local', SPEC, join(dir, 'local')), '--quiet']);
  expect(result.code, result.stderr).toBe(0);
  local = outputFiles(join(dir, 'local'));
});

function expectLocalOutputs(out: string): void {
  const queued = outputFiles(out);
  expect([...queued.keys()]).toEqual([...local.keys()]);
  for (const [name, bytes] of local) expect(queued.get(name)?.equals(bytes), name).toBe(true);
}

describe.each(BACKENDS)('on $name', (backend) => {
  describe.skipIf(backend.skip !== undefined)(backendTitle(backend), () => {
    let server: QueueServer;
    let url: string;
    /** Two workers, shared by the tests in turn (they kill and replace them as they go). */
    let workers: WorkerProcess[] = [];
    const startTwo = async () =>
      (workers = await Promise.all([0, 1].map(() => startWorker(url, { lockSeconds: LOCK_SECONDS }))));
    beforeAll(async () => {
      server = await backend.start(join(dir, backend.name));
      url = queueUrl(server, 'failures');
      await startTwo();
    }, 60_000);
    afterAll(async () => {
      for (const worker of workers) worker.child.kill('SIGKILL');
      await stopWorkers(workers);
      await server?.stop();
    });

    it('a shard on bad data fails the run with its typed error, and the run leaves the queue', async () => {
      const h5 = await corruptChunkedHdf5(join(dir, `bad-${backend.name}.h5`), 23);
      const spec = writeSpec(
        dir,
        `bad-${backend.name}`,
        `source: { type: hdf5, path: ${h5}, dataset: /signal, chunkRows: 1000 }\nsinks:\n  - { type: stats, out: '{out}/stats.json' }\n`,
        join(dir, `bad-out-${backend.name}`),
      );
      const local = await runCli(['run', spec, '--json']);
      expect(local.code).toBe(1);
      const queued = await runCli(['run', spec, '--queue', url, '--shard-rows', '2000', '--json']);
      expect(queued.code, queued.stderr).toBe(1);
      const error = jsonOf(queued).error as Record<string, unknown>;
      expect(error).toEqual((JSON.parse(local.stdout) as { error: unknown }).error);
      expect(error).toMatchObject({
        code: 'FORMAT_INVALID',
        message: expect.stringMatching(/rows \[23000, 24000\)/),
      });
      const queue = openQueue(parseQueueUrl(url));
      try {
        const counts = await queue.getJobCounts('waiting', 'active', 'waiting-children', 'delayed', 'failed');
        expect(counts).toEqual({ waiting: 0, active: 0, 'waiting-children': 0, delayed: 0, failed: 0 });
      } finally {
        await queue.close();
      }
    });

    it('a worker killed mid-shard: its shard runs again elsewhere, the outputs are the local ones', async () => {
      const out = join(dir, `killed-worker-${backend.name}`);
      const spec = writeSpec(dir, `killed-worker-${backend.name}`, SPEC, out);
      const since = workers.map((w) => w.log().length);
      const running = runCli(['run', spec, '--queue', url, '--shard-rows', SHARD_ROWS, '--json']);
      // The first worker to start a shard of this run dies in it.
      const victim = await Promise.race(
        workers.map((w, i) => w.waitFor(/p1-rows-\d+-\d+: started/, 30_000, since[i]).then(() => w)),
      );
      victim.child.kill('SIGKILL');
      const result = await running;
      expect(result.code, result.stderr).toBe(0);
      const { shards } = JSON.parse(result.stdout) as { shards: Record<string, number> };
      expect(shards).toMatchObject({ total: 60, done: 60, reused: 0 });
      expect(shards.retried).toBeGreaterThanOrEqual(1);
      expectLocalOutputs(out);
    });

    it('the submitting run killed and run again: finished shards are reused, the outputs are the local ones', async () => {
      await stopWorkers(workers);
      await startTwo();
      const out = join(dir, `killed-run-${backend.name}`);
      const spec = writeSpec(dir, `killed-run-${backend.name}`, SPEC, out);
      const args = ['run', spec, '--queue', url, '--shard-rows', SHARD_ROWS, '--json'];
      const killed = await spawnCli(args, (stderr, kill) => {
        if (/pass 2\/2: shards [1-9]\d*\//.test(stderr)) kill('SIGKILL');
      });
      expect(killed.signal ?? killed.code).toBe('SIGKILL');
      // SIGTERM: each worker finishes the shard it holds, then exits 0; the rest waits in the queue.
      const stopped = workers;
      await stopWorkers(stopped);
      for (const worker of stopped) {
        expect(await worker.exited).toBe(0);
        const log = worker.log();
        const started = log.match(/(\S+): started/g)?.length ?? 0;
        expect(log.match(/(\S+): done/g)?.length ?? 0, log).toBe(started);
      }
      await startTwo();
      const rerun = await runCli(args);
      expect(rerun.code, rerun.stderr).toBe(0);
      const { shards } = JSON.parse(rerun.stdout) as { shards: Record<string, number> };
      expect(shards).toMatchObject({ total: 60, done: 60 });
      // Pass 1 was done before the kill, and some of pass 2.
      expect(shards.reused).toBeGreaterThan(30);
      // Every shard may have finished before the kill on a fast machine.
      expect(shards.reused).toBeLessThanOrEqual(60);
      expectLocalOutputs(out);
    });
  });
});

/**
 * A float64 HDF5 dataset of 40 gzip chunks of 1000 rows whose chunk `bad` has a flipped byte:
 * the chunks are found as the zlib streams in the file that inflate to one chunk's bytes.
 */
async function corruptChunkedHdf5(path: string, bad: number): Promise<string> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'w');
  const data = new Float64Array(40_000).map((_, i) => Math.sin(i * 0.01) + (i % 7));
  file.create_dataset({ name: 'signal', data, chunks: [1000], compression: 'gzip', compression_opts: 4 });
  file.close();
  const bytes = readFileSync(path);
  const chunks: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0x78 || ((bytes[i] << 8) | bytes[i + 1]) % 31 !== 0) continue;
    try {
      if (inflateSync(bytes.subarray(i, i + 9000)).length === 8000) chunks.push(i);
    } catch {
      // not a chunk
    }
  }
  expect(chunks).toHaveLength(40);
  bytes[chunks[bad] + 100] ^= 0x55;
  writeFileSync(path, bytes);
  return path;
}
