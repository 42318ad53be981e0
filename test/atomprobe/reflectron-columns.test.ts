/** The reflectron on a batch: which detector columns, their unit, and the corrected values. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { correctBatch, resolveColumns, toFloat64Columns } from '../../src/atomprobe/reflectron-columns.ts';
import { buildLocator, loadPresetMesh, PRESET_DIR } from '../../src/atomprobe/reflectron-mesh.ts';
import { makeBatch, schemaOf } from '../support/batches.ts';

const scalar = (name: string, dtype: 'float32' | 'float64' | 'int64' = 'float32') => ({
  name,
  dtype,
  width: 1,
});

describe('resolveColumns', () => {
  it("finds EPOS's mm columns first, then PyCCAPT's cm columns", () => {
    const both = {
      columns: [scalar('x_det (cm)'), scalar('y_det (cm)'), scalar('det_x (mm)'), scalar('det_y (mm)')],
    };
    const mm = resolveColumns({}, both);
    expect([mm.x.name, mm.y.name, mm.scale]).toEqual(['det_x (mm)', 'det_y (mm)', 1]);
    const cm = resolveColumns({}, { columns: both.columns.slice(0, 2) });
    expect([cm.x.name, cm.y.name, cm.scale]).toEqual(['x_det (cm)', 'y_det (cm)', 10]);
  });

  it('takes named columns and a unit, and refuses what is not a scalar number', () => {
    const schema = { columns: [scalar('a'), scalar('b'), scalar('id', 'int64')] };
    expect(resolveColumns({ columns: ['b', 'a'], unit: 'cm' }, schema)).toMatchObject({
      x: { name: 'b' },
      y: { name: 'a' },
      scale: 10,
    });
    expect(resolveColumns({ columns: ['a', 'b'] }, schema).scale).toBe(1);
    expect(() => resolveColumns({ columns: ['a', 'id'] }, schema)).toThrow(
      /'id' is not a scalar number column/,
    );
    expect(() => resolveColumns({}, schema)).toThrow(expect.objectContaining({ code: 'COLUMN_UNKNOWN' }));
  });
});

describe('correctBatch', () => {
  const reference = readFileSync(join(PRESET_DIR, '4000XHR_Erlangen_56_4833_reference.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1, 41)
    .map((line) => line.split(',').map(Number));
  const locator = buildLocator(loadPresetMesh('4000XHR_Erlangen_56_4833'));

  it('replaces both columns with the MATLAB reference values, in float64, others untouched', () => {
    const other = new Int32Array(reference.length).fill(7);
    const cm = {
      'x_det (cm)': Float64Array.from(reference, (r) => r[0] / 10),
      'y_det (cm)': Float64Array.from(reference, (r) => r[1] / 10),
      other,
    };
    const out = correctBatch(makeBatch(cm), locator, 'x_det (cm)', 'y_det (cm)', 10);
    expect(out.columns['x_det (cm)'].data).toBeInstanceOf(Float64Array);
    reference.forEach((r, i) => {
      expect(out.columns['x_det (cm)'].data[i] as number).toBeCloseTo(r[2] / 10, 9);
      expect(out.columns['y_det (cm)'].data[i] as number).toBeCloseTo(r[3] / 10, 9);
    });
    expect(out.columns.other.data).toBe(other);
  });

  it('retypes only the named columns to float64', () => {
    const schema = schemaOf({ a: new Float32Array(1), b: new Int16Array(1), c: new Float32Array(1) });
    expect(toFloat64Columns(schema, ['a', 'b']).columns.map((c) => c.dtype)).toEqual([
      'float64',
      'float64',
      'float32',
    ]);
  });
});
