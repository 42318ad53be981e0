/**
 * A transform of your own, declared with `defineStage` as sluice's stages are, and run next to
 * them through a registry that adds it to sluice's stages.
 *
 *   npx tsx examples/custom-transform.ts data/sample/signal.npy
 */
import { allStages, defineStage, Registry, run, z } from 'sluice';
import type { Batch, Column } from 'sluice';

/** Clamps a float column into [lo, hi]: a pure function of each batch, so it needs no look-back. */
export const clip = defineStage({
  name: 'clip',
  kind: 'transform',
  keepsRows: true,
  params: z
    .object({
      column: z.string().default('value').describe('The column clipped (float32 or float64).'),
      lo: z.number().describe('Values below become lo.'),
      hi: z.number().describe('Values above become hi.'),
    })
    .strict()
    .describe('Clamps a column into [lo, hi], as numpy.clip.'),
  history: () => 0,
  create: (p) => (batch: Batch) => {
    const column = batch.columns[p.column];
    // Batches are immutable once emitted (docs/design.md §1): write the clipped values to a copy.
    const data = Float64Array.from(column.data as Float32Array | Float64Array, (x) =>
      Math.min(p.hi, Math.max(p.lo, x)),
    );
    const clipped: Column = { data, width: column.width };
    return { ...batch, columns: { ...batch.columns, [p.column]: clipped } };
  },
});

/** sluice's stages and ours: pass it to run() as `registry`. */
export const registry = new Registry([...allStages, clip]);

/** The min and max of the signal before and after clipping it to ±0.5. */
export async function clipRange(path: string): Promise<{ before: unknown; after: unknown }> {
  const report = await run(
    {
      source: { type: 'npy', path },
      steps: [{ type: 'clip', lo: -0.5, hi: 0.5 }],
      sinks: [{ type: 'stats' }],
    },
    { registry },
  );
  const plain = await run({ source: { type: 'npy', path }, sinks: [{ type: 'stats' }] });
  const { min, max } = plain.sinks[0].result.columns.value;
  const after = (report.sinks[0].result as (typeof plain.sinks)[0]['result']).columns.value;
  return { before: { min, max }, after: { min: after.min, max: after.max } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await clipRange(process.argv[2] ?? 'data/sample/signal.npy'));
}
