/**
 * docs/design.md §7–8: the same spec run on the queue by several `sluice worker` processes gives
 * the local run's outputs byte for byte, on both backends, for accumulators of every kind:
 * moments (stats), counts with a distributed min/max pre-pass (histogram without range),
 * periodogram sums (welch) and exact order statistics with a distributed sketch pre-pass
 * (quantiles, exact: true).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueServer, WorkerProcess } from '../../bench/cluster-servers.ts';
import { startWorker, stopWorkers } from '../../bench/cluster-servers.ts';
import { writeFloat32Npy } from '../../bench/files.ts';
import { run } from '../../src/cluster/api.ts';
import { runCli } from '../support/cli.ts';
import { BACKENDS, backendTitle, outputFiles, queueUrl, writeSpec } from './cluster-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-acc-'));
const input = join(dir, 'signal.npy');
const ROWS = 300_000;
writeFloat32Npy(input, ROWS * 4);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = `
source: { type: npy, path: ${input}, chunkRows: 7000 }
sinks:
  - { type: stats, out: '{out}/stats.json' }
  - { type: histogram, column: value, bins: 50, out: '{out}/hist.json' }
  - { type: welch, nperseg: 1024, out: '{out}/welch.json' }
  - { type: quantiles, exact: true, q: [0.01, 0.25, 0.75, 0.99], out: '{out}/quantiles.json' }
`;

let local: Map<string, Buffer>;
beforeAll(async () => {
  const spec = writeSpec(dir, 'local', SPEC, join(dir, 'local'));
  const result = await runCli(['run', spec, '--quiet']);
  expect(result.code, result.stderr).toBe(0);
  local = outputFiles(join(dir, 'local'));
});

describe.each(BACKENDS)('on $name', (backend) => {
  describe.skipIf(backend.skip !== undefined)(backendTitle(backend), () => {
    let server: QueueServer;
    let workers: WorkerProcess[] = [];
    beforeAll(async () => {
      server = await backend.start(join(dir, backend.name));
      workers = await Promise.all([
        startWorker(queueUrl(server, 'acc')),
        startWorker(queueUrl(server, 'acc')),
      ]);
    }, 60_000);
    afterAll(async () => {
      await stopWorkers(workers);
      await server?.stop();
    });

    it('two workers write the local outputs, byte for byte', async () => {
      const out = join(dir, `queued-${backend.name}`);
      const spec = writeSpec(dir, `queued-${backend.name}`, SPEC, out);
      const result = await runCli([
        'run',
        spec,
        '--queue',
        queueUrl(server, 'acc'),
        '--shard-rows',
        '40000',
        '--json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as { shards: Record<string, number>; rowsRead: number };
      // Two passes (the histogram's range and the quantiles' sketch first) of 8 shards.
      expect(summary.shards).toEqual({ total: 16, done: 16, reused: 0, retried: 0 });
      expect(summary.rowsRead).toBe(ROWS);
      const queued = outputFiles(out);
      expect([...queued.keys()]).toEqual([...local.keys()]);
      for (const [name, bytes] of local)
        expect.soft(queued.get(name)?.toString(), name).toBe(bytes.toString());
      // Both workers took jobs.
      for (const worker of workers) expect(worker.log()).toMatch(/rows-\d+-\d+: done/);
    });

    it('a merge tree several levels deep (two children per node) changes nothing', async () => {
      const out = join(dir, `tree-${backend.name}`);
      const report = await run(
        {
          source: { type: 'npy', path: input, chunkRows: 7000 },
          sinks: [
            { type: 'stats', out: join(out, 'stats.json') },
            { type: 'histogram', column: 'value', bins: 50, out: join(out, 'hist.json') },
            { type: 'welch', nperseg: 1024, out: join(out, 'welch.json') },
            { type: 'quantiles', exact: true, q: [0.01, 0.25, 0.75, 0.99], out: join(out, 'quantiles.json') },
          ],
        },
        { queue: queueUrl(server, 'acc'), shardRows: 25_000, fanout: 2 },
      );
      expect(report.shards).toEqual({ total: 24, done: 24, reused: 0, retried: 0 });
      const queued = outputFiles(out);
      expect([...queued.keys()]).toEqual([...local.keys()]);
      for (const [name, bytes] of local)
        expect.soft(queued.get(name)?.toString(), name).toBe(bytes.toString());
    });
  });
});
