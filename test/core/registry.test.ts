import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStage, renderStagesMarkdown } from '../../src/core/describe.ts';
import { allStages, registry } from '../../src/stages.ts';
import { parseSpecText } from '../../src/pipeline/spec-document.ts';
import { validateSpec } from '../../src/pipeline/validate.ts';
import {
  docPath,
  renderSchemaFile,
  renderStagesReference,
  SCHEMA_PATH,
  STAGES_PATH,
} from '../../scripts/gen-docs.ts';

describe('registry', () => {
  it.each(allStages.map((s) => [s.name, s] as const))('%s is documented and well named', (name, stage) => {
    expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const doc = describeStage(stage);
    expect(doc.summary.length).toBeGreaterThan(10);
    for (const param of doc.params) expect(param.description, `${name}.${param.key}`).not.toBe('');
    expect(stage.params.safeParse({ unknownKeyForTest: 1 }).success).toBe(false);
  });

  it('has one file per stage named as the stage', () => {
    for (const kind of ['sources', 'transforms', 'sinks']) {
      const files = readdirSync(`src/${kind}`)
        .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
        .map((f) => basename(f, '.ts'));
      for (const stage of registry.list(kind.slice(0, -1) as 'source')) expect(files).toContain(stage.name);
    }
  });

  it('keeps docs/stages.md, docs/stages/ and schema/spec.schema.json in step with the registry', () => {
    expect(readFileSync(STAGES_PATH, 'utf8'), 'run `npm run docs`').toBe(renderStagesReference());
    expect(readFileSync(SCHEMA_PATH, 'utf8'), 'run `npm run docs`').toBe(renderSchemaFile());
    for (const stage of allStages) {
      const doc = readFileSync(docPath(stage), 'utf8');
      expect(doc, 'run `npm run docs`').toBe(renderStagesMarkdown([describeStage(stage)], 1));
    }
  });

  it.each(readdirSync('pipelines').filter((f) => f.endsWith('.yaml')))(
    'pipelines/%s is a valid spec',
    (file) => {
      const text = readFileSync(`pipelines/${file}`, 'utf8');
      // The sample data may not exist yet (npm start makes it): point the source at a fixture.
      const spec = parseSpecText(text, `pipelines/${file}`, {
        set: { 'source.path': 'test/fixtures/npy/f4-sine.npy' },
      });
      expect(() => validateSpec(spec, registry)).not.toThrow();
    },
  );
});
