/**
 * The `tests:` of a spec (`sluice test`, spec-tests.ts runs them): each names inline input
 * columns that replace the source's data and what the sinks' results must then hold. The
 * spec's validation checks this shape with the rest of the spec.
 */
import { z } from 'zod';
import { DTYPES } from '../core/dtype.ts';

const columnValues = z.union([
  z.array(z.number()).describe('The values, as float64.'),
  z
    .object({
      dtype: z.enum(DTYPES).describe('Element type of the column (numpy names).'),
      values: z.array(z.number()).describe('The values, row-major for a width-k column.'),
      width: z.int().min(1).default(1).describe('Values per row.'),
    })
    .strict()
    .describe('A column of another element type, or of width k.'),
]);

export type InlineColumn = z.output<typeof columnValues>;

function rowsOf(c: InlineColumn): number {
  return Array.isArray(c) ? c.length : c.values.length / c.width;
}

export const expectationShape = z
  .object({
    sink: z
      .union([z.string().min(1), z.int().min(0)])
      .describe('The sink whose result is checked: its `name`, or its index in `sinks`.'),
    path: z
      .string()
      .default('')
      .describe(
        'Where in the result: `columns.value.mean`, `counts`, `counts.0`; empty for the whole result.',
      ),
    equals: z.unknown().optional().describe('The value it must equal (deep equality; numbers exactly).'),
    within: z
      .tuple([z.number(), z.number()])
      .optional()
      .describe('[lo, hi]: the number must lie within, both ends included.'),
  })
  .strict()
  .refine((e) => 'equals' in e !== (e.within !== undefined), {
    message: 'give exactly one of equals or within',
  })
  .describe('One check of a sink result.');

export type Expectation = z.output<typeof expectationShape>;

export const specTestShape = z
  .object({
    name: z.string().min(1).describe('What the test checks; printed on its line.'),
    input: z
      .record(z.string(), columnValues)
      .refine((columns) => Object.keys(columns).length > 0, 'input needs at least one column')
      .refine(
        (columns) => new Set(Object.values(columns).map(rowsOf)).size <= 1,
        'input columns must have equal rows',
      )
      .describe("Columns by name: they replace the source's data (its sampleRate stays)."),
    expect: z.array(expectationShape).min(1).describe('What the results must hold.'),
  })
  .strict()
  .describe("A unit test of the spec's steps and sinks on inline input (`sluice test`).");

export type SpecTest = z.output<typeof specTestShape>;
