/**
 * docs/design.md §2, consequence 2: the main pass split across worker threads gives exactly the
 * single-thread result, for accumulators of every kind (moments, counts, periodogram sums).
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import type { PipelineDefinition } from '../../src/pipeline/api.ts';

const SOURCE = { type: 'npy', path: 'test/fixtures/npy/spectral-f32.npy', chunkRows: 1000 };

async function both(definition: PipelineDefinition) {
  const serial = await run(definition, { workers: 1 });
  const sharded = await run(definition, { workers: 3, log: () => {} });
  return { serial, sharded };
}

describe('the main pass on worker threads', () => {
  it('equals one thread for stats, histogram (with its pre-pass) and welch', async () => {
    const { serial, sharded } = await both({
      source: SOURCE,
      sinks: [
        { type: 'stats' },
        { type: 'histogram', column: 'value', bins: 37 },
        { type: 'welch', nperseg: 256, average: 'median' },
      ],
    });
    expect(sharded.rowsRead).toBe(serial.rowsRead);
    expect(sharded.sinks.map((s) => s.rows)).toEqual(serial.sinks.map((s) => s.rows));
    expect(sharded.sinks[1].result).toEqual(serial.sinks[1].result);
    const [a, b] = [sharded.sinks[2].result, serial.sinks[2].result] as { psd: number[]; segments: number }[];
    expect(a.segments).toBe(b.segments);
    a.psd.forEach((v, k) => expect(Math.abs(v - b.psd[k])).toBeLessThanOrEqual(1e-12 * Math.abs(b.psd[k])));
    const stats = (r: typeof serial) =>
      (r.sinks[0].result as { columns: { value: Record<string, number> } }).columns.value;
    expect(stats(sharded).count).toBe(stats(serial).count);
    expect(Math.abs(stats(sharded).mean - stats(serial).mean)).toBeLessThan(
      1e-12 * Math.abs(stats(serial).mean),
    );
  });
});
