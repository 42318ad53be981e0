/**
 * Interrupting a run on several threads (Ctrl-C is an abort of the run's signal): the worker
 * threads end, the run fails with ABORTED, and neither the outputs filled in place nor their
 * temporary files are left.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import { writeEpos } from '../../scripts/sample-epos.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-threads-abort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, 'run.epos');
writeEpos(input, 600_000);

describe('an interrupted run on threads', () => {
  it('ends its threads and leaves no output, temporary or final', async () => {
    const out = join(dir, 'out');
    const controller = new AbortController();
    let progressed = 0;
    const log: string[] = [];
    const failure = await run(
      {
        source: { type: 'epos', path: input, chunkRows: 2000 },
        steps: [{ type: 'to-pyccapt' }],
        sinks: [
          { type: 'hdf5', out: join(out, 'corrected.h5'), layout: 'columns' },
          { type: 'npy', out: join(out, 'corrected.npy') },
          { type: 'stats', out: join(out, 'stats.json') },
        ],
      },
      {
        workers: 2,
        signal: controller.signal,
        log: (m) => log.push(m),
        onProgress: () => {
          if (++progressed === 20) controller.abort();
        },
      },
    ).catch((error: unknown) => error);
    expect(log.some((m) => m.startsWith('main pass on 2 threads'))).toBe(true);
    expect(failure).toMatchObject({ code: 'ABORTED' });
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  }, 60_000);
});
