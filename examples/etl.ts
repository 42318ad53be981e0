/**
 * An ETL script: atom-probe EPOS files into PyCCAPT's column layout as Parquet, keeping only
 * the ions in a mass window, with a summary of what went where. The results are typed from
 * the pipeline's definition: no casts.
 *
 *   npx tsx examples/etl.ts out/etl data/sample/run.epos [more.epos ...]
 */
import { basename, extname, join } from 'node:path';
import { run } from 'sluice';

export interface EtlSummary {
  readonly input: string;
  readonly output: string;
  readonly ions: number;
  readonly kept: number;
  readonly medianMass: number | string | null;
}

/** One EPOS file to `<outDir>/<stem>.parquet`, ions with lo ≤ m/n ≤ hi Da only. */
export async function eposToParquet(
  input: string,
  outDir: string,
  window: [number, number] = [0, 200],
  compression: 'zstd' | 'snappy' = 'zstd',
): Promise<EtlSummary> {
  const output = join(outDir, `${basename(input, extname(input))}.parquet`);
  const report = await run(
    {
      source: { type: 'epos', path: input },
      steps: [{ type: 'to-pyccapt' }, { type: 'filter', where: [{ column: 'mc (Da)', within: window }] }],
      sinks: [
        { type: 'parquet', out: output, compression },
        { type: 'quantiles', columns: ['mc (Da)'], q: [0.25, 0.75] },
      ],
    },
    { overwrite: true },
  );
  const [written, quantiles] = report.sinks;
  return {
    input,
    output,
    ions: report.rowsRead,
    kept: written.result.rows,
    medianMass: quantiles.result.columns[0].median,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outDir = 'out/etl', ...inputs] = process.argv.slice(2);
  for (const input of inputs.length ? inputs : ['data/sample/run.epos']) {
    const s = await eposToParquet(input, outDir);
    console.log(`${s.input} → ${s.output}: ${s.kept} of ${s.ions} ions, median m/n ${s.medianMass} Da`);
  }
}
