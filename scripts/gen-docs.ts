/**
 * Regenerates what is generated from the stage registry: the stage reference docs/stages.md
 * (every stage) and docs/stages/<name>.<kind>.md (one each), and the JSON Schema of a spec,
 * schema/spec.schema.json (shipped in the package; `sluice schema` prints the same). `npm test`
 * checks all of them are current.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { describeStage, renderStagesMarkdown } from '../src/core/describe.ts';
import type { Stage } from '../src/core/stage.ts';
import { specJsonSchema } from '../src/pipeline/json-schema.ts';
import { allStages } from '../src/stages.ts';

export const STAGES_PATH = 'docs/stages.md';
export const SCHEMA_PATH = 'schema/spec.schema.json';

/** docs/stages.md: sources, transforms and sinks, each with its params table. */
export function renderStagesReference(): string {
  const kinds = ['source', 'transform', 'sink'] as const;
  const sections = kinds.map((kind) => {
    const docs = allStages.filter((s) => s.kind === kind).map(describeStage);
    const title = `## ${kind[0].toUpperCase()}${kind.slice(1)}s\n\n`;
    return title + (docs.length ? renderStagesMarkdown(docs, 3) : '_None yet._\n');
  });
  const head = [
    '<!-- Generated from the stage registry by `npm run docs` (scripts/gen-docs.ts); do not edit. -->',
    '',
    '# Stage reference',
    '',
    'Every stage sluice ships, with its params: their types, defaults and what they do. `npx sluice stages NAME`',
    'prints one of them; `npx sluice schema` prints the JSON Schema of a whole spec (schema/spec.schema.json).',
    '',
  ].join('\n');
  return `${head}\n${sections.join('\n')}`;
}

/** The JSON Schema file's text. */
export function renderSchemaFile(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}

/** One page per stage; a source and a sink may share a name, so the kind is in the file name. */
export function docPath(stage: Stage): string {
  return `docs/stages/${stage.name}.${stage.kind}.md`;
}

function main(): void {
  mkdirSync('docs/stages', { recursive: true });
  mkdirSync('schema', { recursive: true });
  for (const stage of allStages) {
    writeFileSync(docPath(stage), renderStagesMarkdown([describeStage(stage)], 1));
  }
  writeFileSync(STAGES_PATH, renderStagesReference());
  writeFileSync(SCHEMA_PATH, renderSchemaFile());
  console.log(`wrote docs/stages/*.md (${allStages.length} stages), ${STAGES_PATH} and ${SCHEMA_PATH}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
