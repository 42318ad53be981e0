/** Writes a run's report: reads the inputs' facts and the sinks' pictures, renders, commits. */
import { writeFileAtomic } from '../io/atomic-file.ts';
import { loadResvg } from '../io/lazy.ts';
import { readInputFacts } from './input-facts.ts';
import type { InputFacts, ReportInput } from './report-types.ts';
import { drawSpectrograms, readPictures } from './pictures.ts';
import type { Rasterize } from './pictures.ts';
import { renderReportHtml } from './render-report.ts';

/** The report's HTML, with every input file's facts and every picture read from disk. */
export async function buildReportHtml(input: ReportInput): Promise<string> {
  const facts = new Map<string, InputFacts>();
  const files = input.pipelines.flatMap((p) => p.files);
  for (const file of files) {
    if (facts.has(file.input)) continue;
    const found = await readInputFacts(file.input);
    if (found) facts.set(file.input, found);
  }
  return renderReportHtml(input, {
    facts,
    pictures: await readPictures(files),
    drawn: await drawSpectrograms(files),
    rasterize: await rasterizer(),
  });
}

/** resvg at twice the SVG's size (sharp on a high-density screen). */
async function rasterizer(): Promise<Rasterize | undefined> {
  try {
    const resvg = await loadResvg();
    return (svg) =>
      new resvg.Resvg(svg, {
        fitTo: { mode: 'zoom', value: 2 },
        background: '#ffffff',
        font: { loadSystemFonts: true },
      })
        .render()
        .asPng();
  } catch {
    // Without resvg, large SVGs are inlined as they are.
    return undefined;
  }
}

/** Writes the report to `path` atomically: the whole page or nothing. */
export async function writeReport(
  path: string,
  input: ReportInput,
  options: { readonly overwrite?: boolean } = {},
): Promise<void> {
  await writeFileAtomic(path, await buildReportHtml(input), options);
}
