/**
 * docs/design.md §2 and §8: a row-preserving pipeline (EPOS → to-pyccapt → reflectron) on several
 * local threads fills its HDF5 (`layout: columns`, contiguous) and NPY outputs in place, each
 * piece writing its rows at their offsets, and the files are byte for byte the one-thread files.
 * The pandas table (`layout: pandas`, uncompressed) too. A failure in a piece reaches the caller as its typed error and leaves no output behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.ts';
import type { PipelineDefinition } from '../../src/pipeline/api.ts';
import { run } from '../../src/pipeline/api.ts';
import { writeEpos } from '../../scripts/sample-epos.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-threads-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, 'run.epos');
const IONS = 100_003;
writeEpos(input, IONS);

function corrected(out: string, extra: PipelineDefinition['sinks'] = []): PipelineDefinition {
  return {
    source: { type: 'epos', path: input, chunkRows: 7000 },
    steps: [{ type: 'to-pyccapt' }, { type: 'reflectron', preset: '4000XHR_Erlangen_56_4833' }],
    sinks: [
      { type: 'hdf5', out: join(out, 'corrected.h5'), layout: 'columns', group: 'df' },
      { type: 'npy', out: join(out, 'detector.npy'), columns: ['x_det (cm)', 'y_det (cm)', 'mc (Da)'] },
      { type: 'hdf5', out: join(out, 'table.h5'), layout: 'pandas', key: 'df' },
      ...extra,
    ],
  };
}

/**
 * The file with the seconds of HDF5's object modification time messages (type 0x12, version 1,
 * written by libhdf5 into every dataset's header) zeroed: two runs a second apart differ there
 * and nowhere else. An NPY file has none.
 */
function withoutTimes(file: Buffer): Buffer {
  const copy = Buffer.from(file);
  const header = [0x12, 0x00, 0x08, 0x00];
  for (let i = 0; i + 16 <= copy.length; i++) {
    if (header.every((b, k) => copy[i + k] === b) && copy[i + 8] === 1) copy.fill(0, i + 12, i + 16);
  }
  return copy;
}

describe('row-preserving outputs on local threads', () => {
  it('hdf5 columns, npy and the pandas table: the same bytes on 1, 2 and 3 threads when asked', async () => {
    const one = await run(corrected(join(dir, 'one'), [{ type: 'stats', columns: ['mc (Da)'] }]), {
      workers: 1,
    });
    expect(one.threads).toBe(1);
    const files = ['corrected.h5', 'detector.npy', 'table.h5'];
    const reference = files.map((f) => withoutTimes(readFileSync(join(dir, 'one', f))));
    for (const [name, options] of [
      ['three', { workers: 3 }],
      ['two', { workers: 2 }],
    ] as const) {
      const log: string[] = [];
      const out = join(dir, name);
      const report = await run(corrected(out, [{ type: 'stats', columns: ['mc (Da)'] }]), {
        ...options,
        log: (m) => log.push(m),
      });
      expect(report.threads, name).toBeGreaterThan(1);
      expect(log.some((m) => /^main pass on \d threads/.test(m))).toBe(true);
      files.forEach((f, i) =>
        expect(withoutTimes(readFileSync(join(out, f))).equals(reference[i]), `${name} ${f}`).toBe(true),
      );
      expect(report.sinks.map((s) => s.result)).toEqual(one.sinks.map((s) => s.result));
      expect(report.sinks.map((s) => s.outputs)).toEqual([...files.map((f) => [join(out, f)]), []]);
      // Nothing but the outputs: no temporary file left beside them.
      expect(readdirSync(out).sort()).toEqual([...files].sort());
    }
  }, 120_000);

  it('by size alone, npy is filled on every thread and the HDF5 writers keep one (measured faster)', async () => {
    const npyOnly: PipelineDefinition = {
      ...corrected(join(dir, 'npy-size')),
      sinks: [
        { type: 'npy', out: join(dir, 'npy-size', 'detector.npy'), columns: ['x_det (cm)', 'mc (Da)'] },
      ],
    };
    const threaded = await run(npyOnly, { minThreadedBytes: 1 });
    expect(threaded.threads).toBeGreaterThan(1);
    const one = await run(
      { ...npyOnly, sinks: [{ ...npyOnly.sinks[0], out: join(dir, 'npy-one', 'detector.npy') }] },
      { workers: 1 },
    );
    expect(
      readFileSync(join(dir, 'npy-size', 'detector.npy')).equals(
        readFileSync(join(dir, 'npy-one', 'detector.npy')),
      ),
    ).toBe(true);
    expect(one.threads).toBe(1);
    const hdf5 = await run(corrected(join(dir, 'hdf5-size')), { minThreadedBytes: 1 });
    expect(hdf5.threads).toBe(1);
  }, 120_000);

  it('a writer that cannot be filled in place (chunked hdf5) keeps the run on one thread', async () => {
    const out = join(dir, 'chunked');
    const report = await run(
      {
        ...corrected(out),
        sinks: [{ type: 'hdf5', out: join(out, 'c.h5'), layout: 'columns', storage: 'chunked' }],
      },
      { workers: 2 },
    );
    expect(report.threads).toBe(1);
  }, 60_000);

  it('an existing output is refused before anything is written, unless overwrite', async () => {
    const out = join(dir, 'three');
    await expect(run(corrected(out), { workers: 2 })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    const again = await run(corrected(out), { workers: 2, overwrite: true });
    expect(again.threads).toBe(2);
    expect(
      readFileSync(join(out, 'detector.npy')).equals(readFileSync(join(dir, 'one', 'detector.npy'))),
    ).toBe(true);
  }, 60_000);

  it("a piece's failure is the run's typed error, and leaves no output", async () => {
    const broken = join(dir, 'broken.epos');
    writeEpos(broken, IONS);
    const out = join(dir, 'failed');
    let cut = false;
    const failure = await run(
      { ...corrected(out), source: { type: 'epos', path: broken, chunkRows: 7000 } },
      {
        workers: 2,
        // Once rows flow, the input loses its second half: the pieces there cannot read it.
        onProgress: () => {
          if (cut) return;
          cut = true;
          truncateSync(broken, 44 * 1000);
        },
      },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SluiceError);
    expect((failure as SluiceError).code).not.toBe('STAGE_FAILED');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  }, 60_000);
});
