import { existsSync } from 'node:fs';
import { z } from 'zod';
import { closest } from 'fastest-levenshtein';
import { SluiceError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import type { SinkStage, SourceStage, Stage, StageKind, TransformStage } from '../core/stage.ts';
import type { SpecDocument, SpecPath, SpecPosition } from './spec-document.ts';
import { expandInputs, hasTemplate } from './inputs.ts';
import type { Inputs } from './inputs.ts';

/** One stage of a validated spec: its declaration and its params with every default filled in. */
export interface StagePlan<S extends Stage = Stage> {
  readonly stage: S;
  readonly params: Record<string, unknown>;
  /** Where it sits in the spec: `source`, `steps[2]`, `sinks[0]`. */
  readonly pointer: string;
  /** Its line and column in the spec file, for errors found after validation. */
  readonly position?: SpecPosition;
}

export interface PipelinePlan {
  readonly name?: string;
  readonly specPath?: string;
  /** The input files the source's path names (several for a glob or a directory). */
  readonly inputs: Inputs;
  readonly source: StagePlan<SourceStage>;
  readonly steps: readonly StagePlan<TransformStage>[];
  readonly sinks: readonly StagePlan<SinkStage>[];
}

const stageRef = z.looseObject({ type: z.string() });
const specShape = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    source: stageRef,
    steps: z.array(stageRef).default([]),
    sinks: z.array(stageRef).min(1, 'a pipeline needs at least one sink'),
  })
  .strict();

/**
 * Checks a spec against the registry without reading any data file: shape, stage names,
 * every stage's params, that input files exist and outputs are distinct.
 */
export function validateSpec(spec: SpecDocument, registry: Registry): PipelinePlan {
  const top = specShape.safeParse(spec.value);
  if (!top.success) throw issueError(spec, [], top.error.issues[0], Object.keys(specShape.shape));
  const { name, source, steps, sinks } = top.data;
  const sourcePlan = planStage(spec, registry, 'source', ['source'], source) as StagePlan<SourceStage>;
  const plan: PipelinePlan = {
    name,
    specPath: spec.path,
    inputs: expandInputs(sourcePlan),
    source: sourcePlan,
    steps: steps.map(
      (s, i) => planStage(spec, registry, 'transform', ['steps', i], s) as StagePlan<TransformStage>,
    ),
    sinks: sinks.map((s, i) => planStage(spec, registry, 'sink', ['sinks', i], s) as StagePlan<SinkStage>),
  };
  checkInputsExist(spec, plan.inputs);
  checkDistinctOutputs(spec, plan.sinks);
  if (plan.inputs.many) checkOutputsPerFile(spec, plan.sinks);
  return plan;
}

function planStage(
  spec: SpecDocument,
  registry: Registry,
  kind: StageKind,
  at: SpecPath,
  ref: { type: string } & Record<string, unknown>,
): StagePlan {
  const { type, ...rawParams } = ref;
  const stage = registry.get(type, kind);
  if (!stage) throw unknownStageError(spec, registry, kind, [...at, 'type'], type, registry.get(type));
  const parsed = stage.params.safeParse(rawParams);
  if (!parsed.success) throw issueError(spec, at, parsed.error.issues[0], paramKeys(stage), type);
  return {
    stage,
    params: parsed.data as Record<string, unknown>,
    pointer: formatPointer(at),
    position: spec.locate(at),
  };
}

function unknownStageError(
  spec: SpecDocument,
  registry: Registry,
  kind: StageKind,
  at: SpecPath,
  type: string,
  found: Stage | undefined,
): SluiceError {
  const suggestion = registry.suggest(type, kind);
  const message = found
    ? `'${type}' is a ${found.kind}, not a ${kind}`
    : `unknown ${kind} type '${type}'${suggestion ? ` — did you mean '${suggestion}'?` : ''}`;
  const names = registry.list(kind).map((s) => s.name);
  return new SluiceError('STAGE_UNKNOWN', `${formatPointer(at)}: ${message}`, {
    path: spec.path,
    ...spec.locate(at),
    hint: `${kind} types: ${names.join(', ') || '(none yet)'}. \`sluice stages\` lists them all.`,
  });
}

function paramKeys(stage: Stage): string[] {
  return stage.params instanceof z.ZodObject ? Object.keys(stage.params.shape) : [];
}

function issueError(
  spec: SpecDocument,
  at: SpecPath,
  issue: z.core.$ZodIssue | undefined,
  knownKeys: string[],
  stageName?: string,
): SluiceError {
  const path = [...at, ...((issue?.path ?? []) as (string | number)[])];
  const code = at.length === 0 ? 'SPEC_INVALID' : 'PARAMS_INVALID';
  const where = path.length ? formatPointer(path) : '(top level)';
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const nearest = knownKeys.length ? closest(key, knownKeys) : undefined;
    return new SluiceError(
      code,
      `${formatPointer([...path, key])}: unknown key '${key}'${stageName ? ` for ${stageName}` : ''}`,
      {
        path: spec.path,
        ...spec.locate([...path, key], true),
        hint: `${nearest ? `Did you mean '${nearest}'? ` : ''}Valid keys: ${knownKeys.join(', ')}.`,
      },
    );
  }
  return new SluiceError(code, `${where}: ${issue?.message ?? 'invalid'}`, {
    path: spec.path,
    ...spec.locate(path),
    hint: stageName
      ? `\`sluice stages ${stageName}\` shows its params and defaults.`
      : 'See the spec reference in README.md.',
  });
}

function checkInputsExist(spec: SpecDocument, inputs: Inputs): void {
  const missing = inputs.many ? inputs.files.length === 0 : inputs.files.some((f) => !existsSync(f));
  if (!missing) return;
  const message = inputs.many
    ? 'no input file matches source.path'
    : `input file not found: ${inputs.files.find((f) => !existsSync(f))}`;
  throw new SluiceError('INPUT_MISSING', message, {
    path: spec.path,
    ...spec.locate(['source', 'path']),
    hint: 'Paths are relative to the directory sluice runs in. `npm start` creates data/sample/.',
  });
}

/** With several inputs, every output must name its file, or the runs would overwrite each other. */
function checkOutputsPerFile(spec: SpecDocument, sinks: readonly StagePlan<SinkStage>[]): void {
  sinks.forEach((sink, index) => {
    const fixed = sink.stage.outputs(sink.params).find((out) => !hasTemplate(out));
    if (fixed === undefined) return;
    throw new SluiceError('SPEC_INVALID', `sinks[${index}] writes ${fixed} for every input file`, {
      path: spec.path,
      ...spec.locate(['sinks', index, 'out']),
      hint: 'The source names several files: put {stem}, {name} or {dir} in `out`, e.g. out/{stem}.json.',
    });
  });
}

function checkDistinctOutputs(spec: SpecDocument, sinks: readonly StagePlan<SinkStage>[]): void {
  const seen = new Map<string, number>();
  sinks.forEach((sink, index) => {
    for (const out of sink.stage.outputs(sink.params)) {
      const first = seen.get(out);
      if (first !== undefined) {
        throw new SluiceError('SPEC_INVALID', `sinks[${first}] and sinks[${index}] both write ${out}`, {
          path: spec.path,
          ...spec.locate(['sinks', index]),
          hint: 'Give each sink its own `out`.',
        });
      }
      seen.set(out, index);
    }
  });
}

export function formatPointer(path: SpecPath): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  );
}
