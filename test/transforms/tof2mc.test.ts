import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { chunkBatches, makeBatch } from '../support/batches.ts';
import { loadAtomProbeGolden } from './atom-probe-golden.ts';
import { buildTransform, newValues } from './column-transforms.ts';

describe('tof2mc transform', () => {
  it.each(['voltage', 'laser'])(
    'matches PyCCAPT’s formula in numpy exactly (%s mode), any chunk size',
    (mode) => {
      const g = loadAtomProbeGolden('tof2mc', mode);
      const want = Array.from(g.outputs['mc (Da)'] as Float64Array);
      for (const chunk of [1, 333, 5003, 9000]) {
        const batches = chunkBatches(g.inputs, chunk, { history: 2 });
        const t = buildTransform('tof2mc', stringify(g.params), batches[0].schema);
        const out = batches.map(t.run);
        expect(newValues(out, 'mc (Da)')).toEqual(want);
        expect(t.outSchema.columns.at(-1)).toMatchObject({ name: 'mc (Da)', dtype: 'float64', unit: 'Da' });
      }
    },
  );

  it('needs L0 and rejects a bad mode with its path', () => {
    const schema = makeBatch({ a: new Float32Array(1) }).schema;
    const { stage } = buildTransform('tof2mc', 'L0: 100\nmode: laser\nt: a\nvoltage: a\nx: a\ny: a', schema);
    expect(stage.params.safeParse({}).error?.issues[0].path).toEqual(['L0']);
    expect(stage.params.safeParse({ L0: 1, mode: 'pulse' }).error?.issues[0].path).toEqual(['mode']);
    expect(stage.params.parse({ L0: 110 })).toMatchObject({
      mode: 'voltage',
      t0: 0,
      alpha: 1.015,
      beta: 0.7,
    });
  });

  it('replaces an existing output column and refuses a missing input column', () => {
    const g = loadAtomProbeGolden('tof2mc', 'voltage');
    const withMc = { ...g.inputs, 'mc (Da)': new Float32Array(5003) };
    const t = buildTransform('tof2mc', stringify(g.params), makeBatch(withMc).schema);
    expect(t.outSchema.columns.map((c) => c.name)).toEqual(Object.keys(withMc));
    expect(() => buildTransform('tof2mc', 'L0: 1', makeBatch({ a: new Float32Array(1) }).schema)).toThrow(
      expect.objectContaining({ code: 'COLUMN_UNKNOWN' }),
    );
  });
});
