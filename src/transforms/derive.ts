import { z } from 'zod';
import type { Batch, Column } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import type { Node } from '../expr/expression.ts';
import {
  columnsOfExpression,
  evaluate,
  ExpressionError,
  parseExpression,
  toFloat64,
} from '../expr/expression.ts';

const params = z
  .object({
    name: z
      .string()
      .min(1)
      .describe('The new float64 column; an existing column of that name is replaced in place.'),
    expr: z
      .string()
      .min(1)
      .describe(
        'Arithmetic over columns: numbers, column names, + - * / ** (power, right-associative), unary minus, parentheses; e.g. `m/n (Da)` * 2 - offset. Names that are not identifiers go in backticks; -x ** 2 must be written -(x ** 2).',
      ),
    columns: z
      .record(z.string().regex(/^[A-Za-z_$][\w$]*$/, 'an alias is an identifier'), z.string().min(1))
      .default({})
      .describe("Aliases: identifier → column name, e.g. { mn: 'm/n (Da)' } to write mn * 2."),
    unit: z.string().optional().describe('Unit of the new column, carried in the schema.'),
  })
  .strict()
  .superRefine((p, ctx) => {
    try {
      parseExpression(p.expr, p.columns);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['expr'], message: `cannot parse '${p.expr}': ${error.message}` });
    }
  })
  .describe(
    'Adds a float64 column computed from an arithmetic expression over columns, row by row (int64 values are converted to the nearest double). Parsed with jsep and evaluated column-wise over typed arrays, never with eval.',
  );

export type DeriveParams = z.output<typeof params>;

interface DerivePlan {
  readonly node: Node;
  readonly inputs: readonly ColumnSchema[];
  readonly width: number;
  readonly schema: Schema;
}

/** The parsed expression, its input columns (checked), and the schema with the new column. */
export function planDerive(p: DeriveParams, input: Schema): DerivePlan {
  const node = parseExpression(p.expr, p.columns);
  const inputs = columnsOfExpression(node).map((name) => requireColumn(input, name, 'derive'));
  const width = inputs[0]?.width ?? 1;
  const odd = inputs.find((c) => c.width !== width);
  if (odd) {
    throw new SluiceError(
      'PARAMS_INVALID',
      `derive: '${inputs[0].name}' has ${width} values per row, '${odd.name}' ${odd.width}`,
      { hint: 'an expression combines columns of one width' },
    );
  }
  const column: ColumnSchema = { name: p.name, dtype: 'float64', width, ...(p.unit ? { unit: p.unit } : {}) };
  const at = input.columns.findIndex((c) => c.name === p.name);
  const columns = at < 0 ? [...input.columns, column] : input.columns.map((c, i) => (i === at ? column : c));
  return { node, inputs, width, schema: { ...input, columns } };
}

export default defineStage({
  name: 'derive',
  kind: 'transform',
  keepsRows: true,
  params,
  history: () => 0,
  schema: (p, input) => planDerive(p, input).schema,
  create: (p, ctx) => {
    const plan = planDerive(p, ctx.schema);
    return (batch: Batch) => deriveBatch(batch, p.name, plan);
  },
});

/** The batch with the new column (history rows included: they are computed like the others). */
export function deriveBatch(batch: Batch, name: string, plan: DerivePlan): Batch {
  const length = batch.rows * plan.width;
  const floats = new Map<string, Float64Array>();
  const column = (col: string): Float64Array => {
    let values = floats.get(col);
    if (!values) {
      const source = batch.columns[col];
      if (!source) throw new SluiceError('COLUMN_UNKNOWN', `derive: batch has no column '${col}'`);
      values = toFloat64(source.data);
      floats.set(col, values);
    }
    return values;
  };
  const data = evaluate(plan.node, length, column);
  const columns: Record<string, Column> = {};
  for (const c of plan.schema.columns) {
    const value = c.name === name ? { data, width: plan.width } : batch.columns[c.name];
    Object.defineProperty(columns, c.name, { value, enumerable: true, writable: true, configurable: true });
  }
  return { ...batch, schema: plan.schema, columns };
}
