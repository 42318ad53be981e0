import { describe, expect, it } from 'vitest';
import { interpolateString, parseSpecText, parseSetPath } from '../../src/pipeline/spec-document.ts';
import { validateSpec } from '../../src/pipeline/validate.ts';
import { mockRegistry } from '../support/mock-stages.ts';

function validate(text: string, env: Record<string, string> = {}, set: Record<string, string> = {}) {
  return validateSpec(parseSpecText(text, 'spec.yaml', { env, set }), mockRegistry);
}

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    return error as {
      code: string;
      message: string;
      line?: number;
      column?: number;
      hint?: string;
      path?: string;
    };
  }
  throw new Error('expected an error');
}

const GOOD = `
name: t
source: { type: ramp, rows: 10 }
sinks:
  - type: record
`;

describe('spec', () => {
  it('fills defaults and keeps names', () => {
    const plan = validate(GOOD);
    expect(plan.name).toBe('t');
    expect(plan.source.params).toEqual({ path: '(memory)', rows: 10, chunkRows: 16 });
    expect(plan.sinks[0].pointer).toBe('sinks[0]');
  });

  it('reads JSON too', () => {
    const plan = validate('{"source": {"type": "ramp"}, "sinks": [{"type": "record"}]}');
    expect(plan.source.params.rows).toBe(100);
  });

  it('interpolates ${VAR} and ${VAR:-default}', () => {
    const text = `source: { type: ramp, path: "\${A}/\${B:-b.npy}" }\nsinks: [{ type: record }]`;
    expect(validate(text, { A: 'dir' }).source.params.path).toBe('dir/b.npy');
    expect(validate(text, { A: 'dir', B: 'x' }).source.params.path).toBe('dir/x');
    const error = errorOf(() => validate(text));
    expect(error).toMatchObject({ code: 'ENV_UNDEFINED', line: 1 });
    expect(interpolateString('${OUT:-out/{stem}_x.json}', {}).value).toBe('out/{stem}_x.json');
  });

  it('applies --set overrides with YAML-typed values', () => {
    expect(parseSetPath('sinks[0].out')).toEqual(['sinks', 0, 'out']);
    const plan = validate(GOOD, {}, { 'source.rows': '25', 'sinks[0].into': 'x' });
    expect(plan.source.params.rows).toBe(25);
    expect(plan.sinks[0].params.into).toBe('x');
  });

  it('points at an unknown key with its line and column and the nearest name', () => {
    const error = errorOf(() => validate(`source: { type: ramp, rowz: 3 }\nsinks: [{ type: record }]`));
    expect(error).toMatchObject({ code: 'PARAMS_INVALID', line: 1, column: 23, path: 'spec.yaml' });
    expect(error.hint).toContain("Did you mean 'rows'");
  });

  it('names an unknown stage and suggests one', () => {
    const error = errorOf(() => validate(`source: { type: ramp }\nsinks:\n  - type: recrod\n`));
    expect(error).toMatchObject({ code: 'STAGE_UNKNOWN', line: 3, column: 11 });
    expect(error.message).toContain("did you mean 'record'");
  });

  it('refuses a stage of the wrong kind', () => {
    const error = errorOf(() => validate(`source: { type: record }\nsinks: [{ type: record }]`));
    expect(error.message).toContain("'record' is a sink, not a source");
  });

  it('reports a wrong type at its value', () => {
    const error = errorOf(() => validate(`source:\n  type: ramp\n  rows: many\nsinks: [{ type: record }]`));
    expect(error).toMatchObject({ code: 'PARAMS_INVALID', line: 3, column: 9 });
    expect(error.message).toContain('source.rows');
  });

  it('reports YAML syntax errors with a position', () => {
    const error = errorOf(() => validate(`source: { type: ramp\nsinks: []`));
    expect(error.code).toBe('SPEC_SYNTAX');
    expect(error.line).toBeGreaterThan(0);
  });

  it('refuses unknown top-level keys and missing sinks', () => {
    expect(errorOf(() => validate(`${GOOD}\nsink: []`))).toMatchObject({ code: 'SPEC_INVALID' });
    expect(errorOf(() => validate(`source: { type: ramp }\nsinks: []`))).toMatchObject({
      code: 'SPEC_INVALID',
    });
  });
});
