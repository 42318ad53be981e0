import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.ts';
import type { SinkStage } from '../../src/core/stage.ts';
import { plansFor } from '../../src/sinks/histogram2d.ts';
import type { Histogram2dResult } from '../../src/stats/histogram2d.ts';
import { Histogram2dAccumulator, sampleDtype } from '../../src/stats/histogram2d.ts';
import { sinks } from '../../src/sinks/index.ts';
import { chunkBatches, makeBatch, rowCountOf, schemaOf } from '../support/batches.ts';
import { goldenCases } from '../support/golden.ts';
import { readNpy } from '../support/read-npy.ts';
import { runSink } from '../support/run-sink.ts';
import { shardRows } from '../support/shards.ts';
import { loadAtomProbeGolden } from '../transforms/atom-probe-golden.ts';

const stage = new Registry(sinks).get('histogram2d', 'sink') as SinkStage;
const dir = mkdtempSync(join(tmpdir(), 'sluice-h2d-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Expected = Pick<Histogram2dResult, 'xedges' | 'yedges' | 'counts'>;

describe('histogram2d sink', () => {
  describe.each(goldenCases('histogram2d'))('golden %s', (name) => {
    const g = loadAtomProbeGolden<Expected>('histogram2d', name);
    const rows = rowCountOf(g.inputs);

    it.each([1, 7, 4096, rows, rows + 3])(
      'equals numpy.histogram2d exactly in chunks of %i rows',
      async (chunk) => {
        const result = (await runSink(
          stage,
          g.params,
          schemaOf(g.inputs),
          chunkBatches(g.inputs, chunk, { history: 2 }),
        )) as Histogram2dResult;
        expect({ xedges: result.xedges, yedges: result.yedges, counts: result.counts }).toEqual(g.expected);
      },
    );

    it('merges row-range shards into the one-pass result', () => {
      const schema = schemaOf(g.inputs);
      const params = stage.params.parse(g.params) as Parameters<typeof plansFor>[0];
      const whole = makeBatch(g.inputs);
      const prepass = stage.prepare?.(params, schema);
      prepass?.add(whole);
      const ranges = prepass?.result() as Parameters<typeof plansFor>[2];
      const [xPlan, yPlan] = plansFor(params, schema, ranges, 'RANGE_INVALID');
      const shards = shardRows(rows, 4, 7).map(([startRow, endRow]) => {
        const acc = new Histogram2dAccumulator('x', 'y', xPlan, yPlan);
        for (const b of chunkBatches(g.inputs, 500, { startRow, endRow, history: 1 })) acc.add(b);
        return acc;
      });
      const [first, ...rest] = shards;
      for (const s of rest) first.merge(s);
      expect(first.result().counts).toEqual(g.expected.counts);
    });
  });

  it('writes .json and .npy outputs', async () => {
    const g = loadAtomProbeGolden<Expected>('histogram2d', 'f32-auto');
    const batches = [makeBatch(g.inputs)];
    const json = join(dir, 'h.json');
    const npy = join(dir, 'h.npy');
    await runSink(stage, { ...g.params, out: json }, schemaOf(g.inputs), batches);
    await runSink(stage, { ...g.params, out: npy }, schemaOf(g.inputs), batches);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual({ x: 'x', y: 'y', ...g.expected });
    const counts = readNpy(npy);
    expect(counts.shape).toEqual([7, 5]);
    expect(Array.from(counts.data as Float64Array)).toEqual(g.expected.counts.flat());
  });

  it('validates params and columns', () => {
    expect(stage.params.safeParse({ x: 'a', y: 'b' }).success).toBe(true);
    expect(
      stage.params.safeParse({
        x: 'a',
        y: 'b',
        range: [
          [1, 0],
          [0, 1],
        ],
      }).error?.issues[0].path,
    ).toEqual(['range', 0]);
    expect(stage.params.safeParse({ x: 'a', y: 'b', out: 'h.png' }).error?.issues[0].path).toEqual(['out']);
    const schema = schemaOf({ a: new Float32Array(1) });
    expect(() => stage.check?.(stage.params.parse({ x: 'a', y: 'b' }), schema)).toThrow(
      expect.objectContaining({ code: 'COLUMN_UNKNOWN' }),
    );
  });

  it('promotes x and y to their common dtype as numpy stacks them', () => {
    expect(sampleDtype('float32', 'float32')).toBe('float32');
    expect(sampleDtype('float32', 'int16')).toBe('float32');
    expect(sampleDtype('float32', 'int32')).toBe('float64');
    expect(sampleDtype('int64', 'int32')).toBe('int64');
    expect(sampleDtype('uint64', 'int8')).toBe('float64');
  });
});
