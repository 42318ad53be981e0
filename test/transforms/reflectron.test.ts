import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import {
  buildLocator,
  correctPoints,
  listReflectronPresets,
  loadPresetMesh,
  PRESET_DIR,
} from '../../src/atomprobe/reflectron-mesh.ts';
import { chunkBatches, makeBatch } from '../support/batches.ts';
import { referenceCorrect } from '../support/reflectron-reference.ts';
import { buildTransform, newValues } from './column-transforms.ts';

const REFERENCE = join(PRESET_DIR, '4000XHR_Erlangen_56_4833_reference.csv');
const rows = readFileSync(REFERENCE, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map(Number));
const col = (i: number) => Float64Array.from(rows, (r) => r[i]);

function run(yaml: string, batches: Batch[]) {
  const t = buildTransform('reflectron', yaml, batches[0].schema);
  return { out: batches.map(t.run), outSchema: t.outSchema };
}

describe('reflectron transform', () => {
  it('lists the five shipped presets', () => {
    expect(listReflectronPresets()).toEqual([
      '3000XHR_Leoben_21_14093',
      '4000XHR_Erlangen_56_4833',
      '5000XR_Leoben_5124_368',
      '5000XR_Oxford_5083_23091',
      '6000XR_Chalmers_6002_770',
    ]);
  });

  it('rejects an unknown preset, and both or neither of preset and mesh', () => {
    const { stage } = buildTransform(
      'reflectron',
      'preset: 4000xhr_erlangen_56_4833',
      makeBatch({
        'det_x (mm)': new Float64Array(1),
        'det_y (mm)': new Float64Array(1),
      }).schema,
    );
    const bad = stage.params.safeParse({ preset: '4000XHR' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['preset']);
    expect(stage.params.safeParse({}).success).toBe(false);
    expect(
      stage.params.safeParse({
        preset: '4000XHR_Erlangen_56_4833',
        mesh: { intersections: 'a', triangles: 'b' },
      }).success,
    ).toBe(false);
    const same = stage.params.safeParse({ preset: '4000XHR_Erlangen_56_4833', columns: ['dx', 'dx'] });
    expect(same.error?.issues[0]).toMatchObject({
      path: ['columns'],
      message: 'the x and y columns must differ',
    });
  });

  const table = { 'det_x (mm)': col(0), 'det_y (mm)': col(1), other: new Int32Array(rows.length).fill(7) };

  it.each([1, 7, 64, rows.length, rows.length + 5])(
    'reproduces the MATLAB reference of 4000XHR within 1e-9 (chunks of %i rows, look-back 2)',
    (chunk) => {
      const { out, outSchema } = run(
        'preset: 4000xhr_ERLANGEN_56_4833',
        chunkBatches(table, chunk, { history: 2 }),
      );
      const x = newValues(out, 'det_x (mm)') as number[];
      const y = newValues(out, 'det_y (mm)') as number[];
      expect(x).toHaveLength(rows.length);
      rows.forEach((r, i) => {
        expect(Math.abs(x[i] - r[2])).toBeLessThan(1e-9);
        expect(Math.abs(y[i] - r[3])).toBeLessThan(1e-9);
      });
      expect(out[0]?.columns['det_x (mm)'].data).toBeInstanceOf(Float64Array);
      expect(outSchema.columns.find((c) => c.name === 'det_x (mm)')?.dtype).toBe('float64');
      expect(newValues(out, 'other')).toEqual(Array(rows.length).fill(7));
    },
  );

  it("reads and writes PyCCAPT's cm columns (×10 in, ÷10 out), float32 input", () => {
    const cm = {
      'x_det (cm)': Float32Array.from(col(0), (v) => v / 10),
      'y_det (cm)': Float32Array.from(col(1), (v) => v / 10),
    };
    const { out } = run('preset: 4000XHR_Erlangen_56_4833', [makeBatch(cm)]);
    const mm = {
      'det_x (mm)': Float64Array.from(cm['x_det (cm)'], (v) => v * 10),
      'det_y (mm)': Float64Array.from(cm['y_det (cm)'], (v) => v * 10),
    };
    const { out: ref } = run('preset: 4000XHR_Erlangen_56_4833', [makeBatch(mm)]);
    const got = newValues(out, 'x_det (cm)') as number[];
    const want = newValues(ref, 'det_x (mm)') as number[];
    got.forEach((v, i) => expect(v).toBe(want[i] / 10));
  });

  it('takes columns and unit overrides, and a custom mesh from files', () => {
    const custom = { dx: col(0), dy: col(1) };
    const yaml = [
      'mesh:',
      `  intersections: ${join(PRESET_DIR, '4000XHR_Erlangen_56_4833_intersections.csv')}`,
      `  triangles: ${join(PRESET_DIR, '4000XHR_Erlangen_56_4833_triangles.csv')}`,
      'columns: [dx, dy]',
      'unit: mm',
    ].join('\n');
    const { out } = run(yaml, [makeBatch(custom)]);
    const x = newValues(out, 'dx') as number[];
    rows.forEach((r, i) => expect(Math.abs(x[i] - r[2])).toBeLessThan(1e-9));
  });

  it('refuses an input without detector columns', () => {
    expect(() => run('preset: 4000XHR_Erlangen_56_4833', [makeBatch({ a: new Float32Array(2) })])).toThrow(
      expect.objectContaining({ code: 'COLUMN_UNKNOWN' }),
    );
  });

  it.each(listReflectronPresets())('the grid locator equals a scan of the mesh (%s)', (name) => {
    const mesh = loadPresetMesh(name);
    const loc = buildLocator(mesh);
    const n = 8000;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < n; i++) {
      xs[i] = (random() - 0.5) * 100; // the meshes span about ±35 mm: some points are far outside
      ys[i] = (random() - 0.5) * 100;
    }
    xs.set(mesh.vx.subarray(0, 50)); // vertices and edge midpoints exactly
    ys.set(mesh.vy.subarray(0, 50));
    const ox = new Float64Array(n);
    const oy = new Float64Array(n);
    const outside = correctPoints(loc, xs, ys, ox, oy, 1, 1);
    expect(outside).toBeGreaterThan(500);
    expect(outside).toBeLessThan(n);
    for (let i = 0; i < n; i++) {
      const expected = referenceCorrect(mesh, xs[i], ys[i]);
      expect(Math.abs(ox[i] - expected.x)).toBeLessThan(1e-9);
      expect(Math.abs(oy[i] - expected.y)).toBeLessThan(1e-9);
    }
  });

  it('gives NaN for NaN coordinates', () => {
    const { out } = run('preset: 4000XHR_Erlangen_56_4833', [
      makeBatch({ 'det_x (mm)': Float64Array.of(NaN, 1), 'det_y (mm)': Float64Array.of(2, NaN) }),
    ]);
    expect(newValues(out, 'det_x (mm)')).toEqual([NaN, NaN]);
  });
});
