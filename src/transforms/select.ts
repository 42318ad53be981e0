import { z } from 'zod';
import type { Batch, Column } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';

const params = z
  .object({
    keep: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Columns to keep, in this order; every other column is dropped. Default: all, in their order.',
      ),
    drop: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Columns to drop; the others keep their order.'),
    rename: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe("Old name → new name, applied after keep/drop, e.g. { 'm/n (Da)': mc }."),
  })
  .strict()
  .refine((p) => !(p.keep && p.drop), { message: 'give keep or drop, not both', path: ['drop'] })
  .describe('Keeps, drops and renames columns. No data is copied: the batches carry the same arrays.');

export type SelectParams = z.output<typeof params>;

/** How each output column is made: [output name, input name], in output order. */
export function selectColumns(p: SelectParams, input: Schema): [string, string][] {
  const chosen = p.keep
    ? p.keep.map((name) => requireColumn(input, name, 'select').name)
    : input.columns.map((c) => c.name).filter((name) => !p.drop?.includes(name));
  for (const name of p.drop ?? []) requireColumn(input, name, 'select');
  for (const name of Object.keys(p.rename)) {
    requireColumn(input, name, 'select');
    if (!chosen.includes(name)) {
      throw new SluiceError('PARAMS_INVALID', `select: rename names '${name}', which is not kept`, {
        hint: 'rename only columns that keep/drop leave in',
      });
    }
  }
  const pairs = chosen.map((name): [string, string] => [p.rename[name] ?? name, name]);
  const seen = new Set<string>();
  for (const [out] of pairs) {
    if (seen.has(out)) {
      throw new SluiceError('PARAMS_INVALID', `select: two output columns would be named '${out}'`, {
        hint: 'rename to a name no other kept column has',
      });
    }
    seen.add(out);
  }
  return pairs;
}

export default defineStage({
  name: 'select',
  kind: 'transform',
  keepsRows: true,
  params,
  history: () => 0,
  schema: (p, input) => {
    const byName = new Map(input.columns.map((c) => [c.name, c]));
    return {
      ...input,
      columns: selectColumns(p, input).map(([out, name]) => ({ ...byName.get(name)!, name: out })),
    };
  },
  create: (p, ctx) => {
    const pairs = selectColumns(p, ctx.schema);
    const byName = new Map(ctx.schema.columns.map((c) => [c.name, c]));
    const schema: Schema = {
      ...ctx.schema,
      columns: pairs.map(([out, name]) => ({ ...byName.get(name)!, name: out })),
    };
    return (batch: Batch) => selectBatch(batch, pairs, schema);
  },
});

/** The batch with only the chosen columns, renamed: views onto the same arrays. */
export function selectBatch(batch: Batch, pairs: readonly [string, string][], schema: Schema): Batch {
  const columns: Record<string, Column> = {};
  for (const [out, name] of pairs) {
    const column = batch.columns[name];
    if (!column) throw new SluiceError('COLUMN_UNKNOWN', `select: batch has no column '${name}'`);
    // defineProperty: a column named '__proto__' stays a column.
    Object.defineProperty(columns, out, {
      value: column,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { ...batch, schema, columns };
}
