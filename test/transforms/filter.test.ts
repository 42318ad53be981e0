import { describe, expect, it } from 'vitest';
import { chunkBatches } from '../support/batches.ts';
import { buildTransform, newValues } from './column-transforms.ts';

const n = 1001;
const mn = new Float32Array(n).map((_, i) => (i % 50) * 0.5);
mn[7] = NaN;
const id = new BigInt64Array(n).map((_, i) => BigInt(i) + 2n ** 60n);
const pair = new Float64Array(2 * n).map((_, k) => k);
const table = { 'm/n (Da)': mn, id, pair: { data: pair, width: 2 } };
const [whole] = chunkBatches(table, n);
const SPEC =
  "where:\n  - { column: 'm/n (Da)', within: [5, 12.5] }\n  - { column: id, below: 1152921504606848000 }";

/** What numpy's (mn >= 5) & (mn <= 12.5) & (id < bound) keeps. */
const keptRows = Array.from({ length: n }, (_, i) => i).filter(
  (i) => mn[i] >= 5 && mn[i] <= 12.5 && id[i] < 1152921504606848000n, // exactly a double: 2^60 + 1024
);

describe('filter', () => {
  it('keeps the rows passing every test, width-k columns too, NaN never', () => {
    const out = buildTransform('filter', SPEC, whole.schema).run(whole)!;
    expect(newValues([out], 'id')).toEqual(keptRows.map((i) => id[i]));
    expect(newValues([out], 'pair')).toEqual(keptRows.flatMap((i) => [2 * i, 2 * i + 1]));
    expect(out.rows).toBe(keptRows.length);
  });

  it.each([1, 49, 50, 155, 4096])(
    'chunkRows %i with history 10: same rows, history counts kept look-back',
    (chunkRows) => {
      const t = buildTransform('filter', SPEC, whole.schema);
      const inputs = chunkBatches(table, chunkRows, { history: 10 });
      const outputs = inputs.map(t.run);
      expect(newValues(outputs, 'm/n (Da)')).toEqual(keptRows.map((i) => mn[i]));
      inputs.forEach((input, k) => {
        const out = outputs[k];
        if (!out) return;
        const keptHistory = keptRows.filter(
          (i) => i >= input.start && i < input.start + input.history,
        ).length;
        expect(out.history).toBe(keptHistory);
        expect(out.start).toBe(input.start);
      });
    },
  );

  it('open and closed bounds; a batch with no kept new rows is dropped', () => {
    const t = buildTransform('filter', "where: [{ column: 'm/n (Da)', above: 0, max: 0.5 }]", whole.schema);
    expect(newValues([t.run(whole)], 'm/n (Da)')).toEqual(Array(20).fill(0.5));
    const none = buildTransform('filter', "where: [{ column: 'm/n (Da)', min: 1000 }]", whole.schema);
    expect(none.run(whole)).toBeNull();
  });

  it('refuses a predicate without bounds, unknown and width-k columns', () => {
    expect(() => buildTransform('filter', 'where: [{ column: id }]', whole.schema)).toThrow(
      /at least one bound/,
    );
    expect(() => buildTransform('filter', 'where: [{ column: mz, min: 1 }]', whole.schema)).toThrow(
      /no column 'mz'/,
    );
    expect(() => buildTransform('filter', 'where: [{ column: pair, min: 1 }]', whole.schema)).toThrow(
      /2 values per row/,
    );
  });
});
