import { describe, expect, it } from 'vitest';
import { chunkBatches } from '../support/batches.ts';
import { buildTransform, newValues } from './column-transforms.ts';

const n = 777;
const mn = new Float32Array(n).map((_, i) => i * 0.37 - 20);
const tof = new Float64Array(n).map((_, i) => 100 + i * 0.5);
const ions = new BigInt64Array(n).map((_, i) => BigInt(i * 3));
const table = { 'm/n (Da)': mn, 'TOF (ns)': tof, ions };
const [whole] = chunkBatches(table, n);

/** The expression as numpy would compute it in float64, row by row. */
const expected = Array.from(
  { length: n },
  (_, i) => (-(mn[i] ** 2) + 2 * tof[i]) / (Number(ions[i]) + 1) - 3 ** (2 ** 0.5),
);

describe('derive', () => {
  const yaml =
    "name: q\nexpr: '(-(`m/n (Da)` ** 2) + 2 * t) / (ions + 1) - 3 ** 2 ** 0.5'\ncolumns: { t: 'TOF (ns)' }\nunit: a.u.";

  it('computes a float64 column, backticks and aliases resolve, ** is right-associative', () => {
    const t = buildTransform('derive', yaml, whole.schema);
    expect(t.outSchema.columns.at(-1)).toEqual({ name: 'q', dtype: 'float64', width: 1, unit: 'a.u.' });
    const out = t.run(whole)!;
    expect(out.columns['q'].data).toBeInstanceOf(Float64Array);
    expect(Array.from(out.columns['q'].data as Float64Array)).toEqual(expected);
    expect(out.columns['m/n (Da)'].data).toBe(whole.columns['m/n (Da)'].data);
  });

  it.each([1, 100, 776])('chunkRows %i with history 5: same values, history kept', (chunkRows) => {
    const t = buildTransform('derive', yaml, whole.schema);
    const outputs = chunkBatches(table, chunkRows, { history: 5 }).map(t.run);
    expect(newValues(outputs, 'q')).toEqual(expected);
    expect(outputs.at(-1)!.history).toBe(5);
  });

  it('a bare column is copied, never aliased; inputs are never written', () => {
    const t = buildTransform('derive', "name: t2\nexpr: '-`TOF (ns)`'", whole.schema);
    const out = t.run(whole)!;
    expect(out.columns['t2'].data[3]).toBe(-tof[3]);
    expect(tof[3]).toBe(101.5);
    const copy = buildTransform('derive', "name: t3\nexpr: '`TOF (ns)`'", whole.schema).run(whole)!;
    expect(copy.columns['t3'].data.buffer).not.toBe(tof.buffer);
  });

  it.each([
    ['x +', /cannot parse/],
    ['-x ** 2', /ambiguous/],
    ['sqrt(x)', /not allowed/],
    ['x > 1', /operator '>' is not allowed/],
    ["'a' + 1", /only numbers/],
    ['`m/n (Da)', /unmatched backtick/],
  ])('rejects %s at params time', (expr, message) => {
    expect(() =>
      buildTransform('derive', `name: y\nexpr: '${expr.replace(/'/g, "''")}'`, whole.schema),
    ).toThrow(message);
  });

  it('an unknown column is COLUMN_UNKNOWN with the nearest name', () => {
    expect(() => buildTransform('derive', 'name: y\nexpr: "`m/n (da)` * 2"', whole.schema)).toThrow(
      /no column 'm\/n \(da\)'/,
    );
  });
});
