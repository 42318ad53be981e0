/** Helpers for the column transforms' tests: build through the registry, run over batches. */
import { parse } from 'yaml';
import type { Batch } from '../../src/core/batch.ts';
import type { TransformStage } from '../../src/core/stage.ts';
import { registry } from '../../src/stages.ts';

/** Parses YAML params with the stage's schema, as the planner does, and creates the function. */
export function buildTransform(name: string, yamlParams: string, schema: Batch['schema']) {
  const stage = registry.get(name, 'transform') as TransformStage;
  const params: unknown = stage.params.parse(parse(yamlParams));
  const outSchema = stage.schema?.(params, schema) ?? schema;
  const fn = stage.create(params, { schema, signal: new AbortController().signal, log: () => {} });
  return { stage, params, outSchema, run: (batch: Batch) => fn(batch) as Batch | null };
}

/** The new rows of every output batch of one column, joined, as plain values. */
export function newValues(batches: readonly (Batch | null)[], column: string): (number | bigint)[] {
  return batches.flatMap((b) => {
    if (!b) return [];
    const { data, width } = b.columns[column];
    return Array.from(data.subarray(b.history * width, b.rows * width) as Iterable<number | bigint>);
  });
}
