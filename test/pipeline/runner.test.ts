import { describe, expect, it } from 'vitest';
import { run, validateDefinition, preparePlan } from '../../src/pipeline/api.ts';
import { SluiceError } from '../../src/core/errors.ts';
import { mockRegistry, recordings } from '../support/mock-stages.ts';

const registry = mockRegistry;

function expectedMovingSum(rows: number, window: number): number[] {
  return Array.from({ length: rows }, (_, i) => {
    let sum = 0;
    for (let k = Math.max(0, i - window); k <= i; k++) sum += k;
    return sum;
  });
}

describe('runner', () => {
  it.each([1, 2, 7, 16, 1000])(
    'history makes results independent of chunk size (chunkRows %i)',
    async (chunkRows) => {
      const report = await run(
        {
          source: { type: 'ramp', rows: 103, chunkRows },
          steps: [
            { type: 'moving-sum', rows: 4 },
            { type: 'moving-sum', rows: 2 },
          ],
          sinks: [{ type: 'record', into: `chunks-${chunkRows}` }],
        },
        { registry },
      );
      expect(report.overlap).toBe(6);
      expect(report.rowsRead).toBe(103);
      const once = expectedMovingSum(103, 4);
      const twice = once.map((_, i) => once.slice(Math.max(0, i - 2), i + 1).reduce((a, b) => a + b, 0));
      expect(recordings.get(`chunks-${chunkRows}`)?.values).toEqual(twice);
    },
  );

  it('feeds every sink the same rows and reports them', async () => {
    const report = await run(
      {
        source: { type: 'ramp', rows: 50, chunkRows: 7 },
        sinks: [
          { type: 'record', into: 'a' },
          { type: 'record', into: 'b' },
        ],
      },
      { registry },
    );
    expect(report.sinks.map((s) => s.rows)).toEqual([50, 50]);
    expect(recordings.get('a')?.values).toEqual(recordings.get('b')?.values);
    expect(report.sinks[0].result).toBe(50);
  });

  it('adds a pass only when a sink asks for one', async () => {
    const plain = validateDefinition({ source: { type: 'ramp' }, sinks: [{ type: 'record' }] }, registry);
    expect((await preparePlan(plain)).passes).toBe(1);
    const report = await run(
      { source: { type: 'ramp', rows: 40 }, sinks: [{ type: 'record', into: 'ranged', needsRange: true }] },
      { registry },
    );
    expect(report.passes).toBe(2);
    expect(recordings.get('ranged')?.prepared).toBe(39);
    expect(recordings.get('ranged')?.values).toHaveLength(40);
  });

  it('wraps a failing stage once, naming it', async () => {
    const failing = run(
      { source: { type: 'ramp', rows: 40, chunkRows: 10, failAtRow: 25 }, sinks: [{ type: 'record' }] },
      { registry },
    );
    await expect(failing).rejects.toBeInstanceOf(SluiceError);
  });

  it('stops on abort with ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = run(
      { source: { type: 'ramp', rows: 40 }, sinks: [{ type: 'record' }] },
      { registry, signal: controller.signal },
    );
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
