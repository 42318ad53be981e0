/**
 * `sluice schema`: the JSON Schema (draft 2020-12) of a spec, generated from every registered
 * stage's zod params, shipped in the package as schema/spec.schema.json. Every example spec
 * validates against it with a standard validator (ajv's 2020 build); typos do not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/cli.ts';

const shipped = JSON.parse(readFileSync('schema/spec.schema.json', 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ allErrors: true }).compile(shipped);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  files: string[];
  exports: Record<string, unknown>;
};

describe('sluice schema', () => {
  it('prints the shipped JSON Schema, draft 2020-12, with a union of the stages keyed by type', async () => {
    const result = await runBin(['schema']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(shipped);
    expect(shipped.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const defs = shipped.$defs as Record<string, { properties?: { type?: { enum?: string[] } } }>;
    expect(defs.sink.properties?.type?.enum).toContain('welch');
    expect(pkg.files).toContain('schema/');
    expect(pkg.exports['./spec.schema.json']).toBe('./schema/spec.schema.json');
  });

  it.each(readdirSync('pipelines').filter((f) => f.endsWith('.yaml')))(
    'pipelines/%s validates against it',
    (file) => {
      const text = readFileSync(`pipelines/${file}`, 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/spec.schema.json');
      const ok = validate(parse(text));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    },
  );

  const GOOD = { source: { type: 'npy', path: 'x.npy' }, sinks: [{ type: 'welch', nperseg: 4096 }] };
  it.each([
    ['a misspelt key', { source: { type: 'npy', path: 'x.npy', chunkRow: 5 }, sinks: GOOD.sinks }, '/source'],
    ['a number given as text', { ...GOOD, sinks: [{ type: 'welch', nperseg: 'big' }] }, '/sinks/0/nperseg'],
    ['an unknown stage', { ...GOOD, sinks: [{ type: 'welsh' }] }, '/sinks/0/type'],
    ['a transform as a sink', { ...GOOD, sinks: [{ type: 'segment' }] }, '/sinks/0/type'],
    [
      'a typo in the sink a plot wraps',
      { ...GOOD, sinks: [{ type: 'plot', out: 'p.svg', of: { type: 'welch', npreseg: 64 } }] },
      '/sinks/0/of',
    ],
    ['a test without expectations', { ...GOOD, tests: [{ name: 't', input: { value: [1] } }] }, '/tests/0'],
    ['no sinks', { source: GOOD.source, sinks: [] }, '/sinks'],
  ])('refuses %s', (_label, spec, at) => {
    expect(validate(GOOD)).toBe(true);
    expect(validate(spec)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain(at);
  });

  it('takes sink names and tests', () => {
    const spec = {
      ...GOOD,
      sinks: [{ type: 'stats', name: 's' }],
      tests: [
        {
          name: 'mean',
          input: { value: [1, 2] },
          expect: [{ sink: 's', path: 'columns.value.mean', equals: 1.5 }],
        },
      ],
    };
    expect(validate(spec)).toBe(true);
  });

  it('the README says how editors use it', () => {
    expect(readFileSync('README.md', 'utf8')).toContain('# yaml-language-server: $schema=');
  });
});
