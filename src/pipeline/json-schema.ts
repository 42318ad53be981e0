/**
 * The JSON Schema (draft 2020-12) of a whole spec, generated from the zod params of every
 * registered stage: `sluice schema` prints it, `npm run docs` writes it to
 * schema/spec.schema.json (shipped in the package), and editors use it through
 * yaml-language-server's `# yaml-language-server: $schema=…` line. Each of source, steps and
 * sinks is a union keyed by `type`: the `type` enumerates the stages of that kind, and the
 * stage it names decides which params are allowed (if/then per stage, so a validator reports
 * the errors of that stage only).
 */
import { z } from 'zod';
import type { Registry } from '../core/registry.ts';
import type { Stage, StageKind } from '../core/stage.ts';
import { registry as defaultRegistry } from '../stages.ts';
import { specTestShape } from './spec-test-shape.ts';

export const JSON_SCHEMA_DRAFT = 'https://json-schema.org/draft/2020-12/schema';

type JsonSchema = Record<string, unknown>;

const KIND_DEFS: Record<StageKind, string> = { source: 'source', transform: 'step', sink: 'sink' };

/** The JSON Schema of a spec whose stages are those of `registry`. */
export function specJsonSchema(registry: Registry = defaultRegistry): JsonSchema {
  const $defs: Record<string, JsonSchema> = {};
  const sinkNames = registry.list('sink').map((s) => s.name);
  for (const kind of ['source', 'transform', 'sink'] as const) {
    const stages = registry.list(kind);
    for (const stage of stages) $defs[stageDef(stage)] = stageSchema(stage, sinkNames);
    $defs[KIND_DEFS[kind]] = unionOf(kind, stages);
  }
  $defs.test = withoutDraft(z.toJSONSchema(specTestShape, { io: 'input', unrepresentable: 'any' }));
  return {
    $schema: JSON_SCHEMA_DRAFT,
    title: 'sluice pipeline spec',
    description:
      'A source, steps (transforms, in order) and sinks (each sees the same stream); `sluice validate` checks ' +
      'what a schema cannot (files, columns, ${VAR} interpolation).',
    type: 'object',
    properties: {
      name: { type: 'string', description: 'The pipeline’s name, shown in summaries.' },
      description: { type: 'string', description: 'What the pipeline does.' },
      source: { $ref: '#/$defs/source' },
      steps: { type: 'array', items: { $ref: '#/$defs/step' }, description: 'Transforms, in order.' },
      sinks: {
        type: 'array',
        minItems: 1,
        items: { $ref: '#/$defs/sink' },
        description: 'Every sink sees the same stream.',
      },
      tests: {
        type: 'array',
        items: { $ref: '#/$defs/test' },
        description: 'Unit tests of the steps and sinks on inline input (`sluice test`).',
      },
      report: {
        type: 'string',
        minLength: 1,
        pattern: '\\.[hH][tT][mM][lL]?$',
        description:
          'Where `sluice run` writes a self-contained HTML report of the run (spec as run, inputs, timings, ' +
          'every sink’s result and plots); `--report` overrides it.',
      },
    },
    required: ['source', 'sinks'],
    additionalProperties: false,
    $defs,
  };
}

function stageDef(stage: Stage): string {
  return `${KIND_DEFS[stage.kind]}-${stage.name}`;
}

/** `type` names one of the stages; the one it names decides the rest. */
function unionOf(kind: StageKind, stages: readonly Stage[]): JsonSchema {
  return {
    type: 'object',
    required: ['type'],
    properties: {
      type: { enum: stages.map((s) => s.name), description: `The ${kind} (\`sluice stages\` lists them).` },
    },
    allOf: stages.map((stage) => ({
      if: { properties: { type: { const: stage.name } }, required: ['type'] },
      then: { $ref: `#/$defs/${stageDef(stage)}` },
    })),
  };
}

/** A stage's params as zod describes them (defaults, descriptions), plus `type` (and a sink's `name`). */
function stageSchema(stage: Stage, sinkNames: readonly string[]): JsonSchema {
  const params = withoutDraft(z.toJSONSchema(stage.params, { io: 'input', unrepresentable: 'any' }));
  const properties = (params.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, node] of Object.entries(properties)) properties[key] = asSinkDefinition(node, sinkNames);
  return {
    ...params,
    title: `${stage.name} (${stage.kind})`,
    properties: {
      type: { const: stage.name },
      ...(stage.kind === 'sink'
        ? {
            name: {
              type: 'string',
              minLength: 1,
              description: 'A name for the sink, by which `tests:` refer to it.',
            },
          }
        : {}),
      ...properties,
    },
    required: ['type', ...((params.required as string[] | undefined) ?? [])],
  };
}

/**
 * A param that is itself a sink definition (an open object whose `type` enumerates sinks, as
 * `plot`'s `of`) is checked as that sink.
 */
function asSinkDefinition(node: JsonSchema, sinkNames: readonly string[]): JsonSchema {
  const type = (node.properties as Record<string, JsonSchema> | undefined)?.type;
  const names = type?.enum;
  const isSinkRef =
    node.type === 'object' &&
    Array.isArray(names) &&
    names.every((n) => sinkNames.includes(n as string)) &&
    node.additionalProperties !== false;
  if (!isSinkRef) return node;
  return {
    description: node.description,
    allOf: [{ $ref: '#/$defs/sink' }, { type: 'object', properties: { type: { enum: names } } }],
  };
}

function withoutDraft(schema: JsonSchema): JsonSchema {
  const { $schema: _draft, ...rest } = schema;
  return rest;
}
