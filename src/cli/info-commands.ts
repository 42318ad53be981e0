import { describeStage, renderStagesMarkdown } from '../core/describe.ts';
import type { StageDoc } from '../core/describe.ts';
import { SluiceError } from '../core/errors.ts';
import { preparePlan, validateSpecFile } from '../pipeline/run-plan.ts';
import { validateSpecDeep } from '../pipeline/spec-check.ts';
import { parseSetPath, parseSetValue } from '../pipeline/spec-document.ts';
import { loadRegistry } from '../pipeline/stage-modules.ts';
import { listReflectronPresets } from '../atomprobe/reflectron-mesh.ts';
import { formatBytes, formatCount } from './format.ts';
import { formatHdf5Listing } from './hdf5-listing-text.ts';
import { formatTable } from './result-table.ts';
import type { CommonOptions } from './options.ts';
import { specOptions } from './options.ts';

interface SpecArgs extends CommonOptions {
  spec: string;
  json?: boolean;
}

/**
 * `sluice validate SPEC`: everything `plan` and `run` would refuse before reading data, every
 * problem in one go (spec-check.ts); only the source's header is read.
 */
export async function validateCommand(args: SpecArgs): Promise<void> {
  const plan = await validateSpecDeep(args.spec, specOptions(args));
  const text = `${args.spec}: valid (${plan.source.stage.name} → ${plan.steps.length} steps → ${plan.sinks.length} sinks)`;
  process.stdout.write(args.json ? `${JSON.stringify({ ok: true, spec: args.spec })}\n` : `${text}\n`);
}

/** `sluice plan SPEC`: every stage with its params filled in, overlap, passes, memory. */
export async function planCommand(args: SpecArgs): Promise<void> {
  const plan = await validateSpecFile(args.spec, specOptions(args));
  const prepared = await preparePlan(plan);
  await prepared.source.close();
  const stage = (s: { stage: { name: string }; pointer: string; params: Record<string, unknown> }) => ({
    at: s.pointer,
    type: s.stage.name,
    params: s.params,
  });
  const summary = {
    name: plan.name,
    source: {
      ...stage(plan.source),
      rows: prepared.source.rows,
      bytes: prepared.source.bytes,
      backend: prepared.source.backend,
    },
    steps: plan.steps.map(stage),
    sinks: plan.sinks.map((s) => ({ ...stage(s), outputs: s.stage.outputs(s.params) })),
    schema: prepared.schemas[prepared.schemas.length - 1],
    overlap: prepared.overlap,
    passes: prepared.passes,
    estimatedPeakBytes: prepared.estimatedBatchBytes + BASELINE_BYTES,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const lines = [
    `plan ${plan.name ?? args.spec}`,
    `  source  ${summary.source.type} ${JSON.stringify(summary.source.params)}`,
    `          ${formatCount(summary.source.rows)} rows, ${formatBytes(summary.source.bytes)}, io ${summary.source.backend}`,
    ...summary.steps.map((s) => `  ${s.at.padEnd(8)} ${s.type} ${JSON.stringify(s.params)}`),
    ...summary.sinks.map((s) => `  ${s.at.padEnd(8)} ${s.type} ${JSON.stringify(s.params)}`),
    `  overlap ${formatCount(summary.overlap)} rows; passes ${summary.passes}; estimated peak memory ${formatBytes(summary.estimatedPeakBytes)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * RSS of Node with sluice and tsx loaded, before any batch: 100 MiB measured here. With it the
 * estimate matched bench/stats-case.ts within 10 % for chunks of 0.25–64 MiB.
 */
const BASELINE_BYTES = 100 * 1024 * 1024;

interface InspectArgs {
  file: string;
  type?: string;
  set?: string[];
  head?: number;
  json?: boolean;
}

/** `sluice inspect FILE`: format, columns, rows, header details and first values. */
export async function inspectCommand(args: InspectArgs): Promise<void> {
  const params: Record<string, unknown> = {};
  for (const pair of args.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SluiceError('USAGE', `--set expects key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    params[String(parseSetPath(key)[0])] = parseSetValue(key, pair.slice(eq + 1));
  }
  // The inspector tries every source on the file: it loads the registry (every stage).
  const { inspectFile } = await import('../pipeline/inspect.ts');
  const report = await inspectFile(args.file, { type: args.type, params, head: args.head });
  if (args.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if (report.kind === 'listing') {
    process.stdout.write(`${formatHdf5Listing(report.listing).join('\n')}\n`);
    return;
  }
  const lines = [
    `${report.path}: ${report.format} (io ${report.backend})`,
    `  rows ${formatCount(report.rows)}, data ${formatBytes(report.bytes)}${report.schema.sampleRate ? `, sampleRate ${report.schema.sampleRate}` : ''}`,
    '  columns:',
    ...report.schema.columns.map(
      (c) => `    ${c.name}: ${c.dtype}${c.width > 1 ? `[${c.width}]` : ''}${c.unit ? ` (${c.unit})` : ''}`,
    ),
    '  details:',
    ...Object.entries(report.details).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
    '  head:',
    ...Object.entries(report.head).map(([k, v]) => `    ${k}: ${v.join(', ')}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `sluice stages [NAME]`: params and docs from the registry. */
export async function stagesCommand(args: { name?: string; json?: boolean }): Promise<void> {
  const registry = await loadRegistry();
  let stages = registry.list();
  if (args.name) {
    const named = registry.named(args.name);
    if (named.length === 0) {
      const suggestion = registry.suggest(args.name);
      throw new SluiceError('STAGE_UNKNOWN', `unknown stage '${args.name}'`, {
        hint: suggestion ? `Did you mean '${suggestion}'?` : 'Run `sluice stages` for the list.',
      });
    }
    stages = named;
  }
  const docs = stages.map(describeStage);
  if (args.json) process.stdout.write(`${JSON.stringify(docs, null, 2)}\n`);
  else if (args.name) process.stdout.write(renderStagesMarkdown(docs));
  else process.stdout.write(`${formatStageList(docs, process.stdout.columns ?? 100).join('\n')}\n`);
}

/** One line per stage: name, kind and the first sentence of its summary, cut to the terminal. */
export function formatStageList(docs: readonly StageDoc[], columns: number): string[] {
  const rows = docs.map((d) => [d.name, d.kind, firstSentence(d.summary)]);
  const lines = formatTable(['stage', 'kind', 'what it does'], rows, '', false);
  const width = Math.max(60, columns - 1);
  return [
    ...lines.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line)),
    '',
    '`sluice stages NAME` shows a stage’s params and defaults; docs/stages.md has them all.',
  ];
}

function firstSentence(summary: string): string {
  const end = summary.search(/\.\s/);
  return end < 0 ? summary.replace(/\.$/, '') : summary.slice(0, end);
}

/** `sluice reflectron --list-instruments`: the mesh presets shipped in presets/reflectron/. */
export async function reflectronCommand(args: { json?: boolean }): Promise<void> {
  const presets = listReflectronPresets();
  const text = args.json
    ? JSON.stringify(presets)
    : `reflectron presets (use as \`preset: NAME\`, any case):\n${presets.map((p) => `  ${p}`).join('\n')}`;
  process.stdout.write(`${text}\n`);
}
