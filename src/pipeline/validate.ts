import { existsSync } from 'node:fs';
import { z } from 'zod';
import { closest } from 'fastest-levenshtein';
import { SluiceError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import type { SinkStage, SourceStage, Stage, StageKind, TransformStage } from '../core/stage.ts';
import { formatPointer } from './spec-document.ts';
import type { SpecDocument, SpecPath, SpecPosition } from './spec-document.ts';
import { expandInputs, hasTemplate } from './inputs.ts';
import type { Inputs } from './inputs.ts';
import { confineDeclaredInputs, confinePlan, resolveRoot } from './confine.ts';

export { formatPointer } from './spec-document.ts';

/** Problems one error lists; it counts the rest. */
export const MAX_LISTED_PROBLEMS = 50;

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

export interface ValidateOptions {
  /** Every input and output must lie inside this directory, symbolic links followed. */
  readonly root?: string;
}

/**
 * Checks a spec against the registry without reading any data file: shape, stage names,
 * every stage's params, that input files exist and outputs are distinct, and with `root`
 * that every path stays inside it (checked before the source's path is listed or globbed).
 */
export function validateSpec(
  spec: SpecDocument,
  registry: Registry,
  options: ValidateOptions = {},
): PipelinePlan {
  const top = specShape.safeParse(spec.value);
  if (!top.success) throw issueError(spec, [], top.error.issues, Object.keys(specShape.shape));
  const { name, source, steps, sinks } = top.data;
  const sourcePlan = planStage(spec, registry, 'source', ['source'], source) as StagePlan<SourceStage>;
  const stepPlans = steps.map(
    (s, i) => planStage(spec, registry, 'transform', ['steps', i], s) as StagePlan<TransformStage>,
  );
  const sinkPlans = sinks.map(
    (s, i) => planStage(spec, registry, 'sink', ['sinks', i], s) as StagePlan<SinkStage>,
  );
  const root = options.root === undefined ? undefined : resolveRoot(options.root);
  if (root) confineDeclaredInputs(root, sourcePlan, spec);
  const plan: PipelinePlan = {
    name,
    specPath: spec.path,
    inputs: expandInputs(sourcePlan),
    source: sourcePlan,
    steps: stepPlans,
    sinks: sinkPlans,
  };
  if (root) confinePlan(root, plan, spec);
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
  if (!parsed.success) throw issueError(spec, at, parsed.error.issues, paramKeys(stage), type);
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

/** One thing wrong, at its place in the spec. */
interface Problem {
  readonly path: SpecPath;
  readonly message: string;
  /** An unknown key: located at the key, and a name to suggest a known one for. */
  readonly key?: string;
}

/**
 * The error for a failed parse: the first problem at its line and column, up to
 * MAX_LISTED_PROBLEMS listed, the rest counted (zod reports every unknown key of a map).
 */
function issueError(
  spec: SpecDocument,
  at: SpecPath,
  issues: readonly z.core.$ZodIssue[],
  knownKeys: string[],
  stageName?: string,
): SluiceError {
  const { listed, total } = listProblems(at, issues);
  const code = at.length === 0 ? 'SPEC_INVALID' : 'PARAMS_INVALID';
  const first = listed[0] ?? { path: at, message: 'invalid' };
  const describe = (problem: Problem, index: number) =>
    problem.key === undefined
      ? `${problem.path.length ? formatPointer(problem.path) : '(top level)'}: ${problem.message}`
      : `${formatPointer(problem.path)}: unknown key '${problem.key}'${stageName && index === 0 ? ` for ${stageName}` : ''}`;
  const lines = [describe(first, 0)];
  if (total > 1) {
    lines[0] += `; and ${formatCount(total - 1)} more:`;
    lines.push(...listed.slice(1).map((problem, i) => `  ${describe(problem, i + 1)}`));
    if (total > listed.length) lines.push(`  (${formatCount(total - listed.length)} more not listed)`);
  }
  const nearest = first.key !== undefined && knownKeys.length ? closest(first.key, knownKeys) : undefined;
  return new SluiceError(code, lines.join('\n'), {
    path: spec.path,
    ...spec.locate(first.path, first.key !== undefined),
    hint:
      first.key !== undefined
        ? `${nearest ? `Did you mean '${nearest}'? ` : ''}Valid keys: ${knownKeys.join(', ')}.`
        : stageName
          ? `\`sluice stages ${stageName}\` shows its params and defaults.`
          : 'See the spec reference in README.md.',
  });
}

/** The first MAX_LISTED_PROBLEMS problems, one per unknown key, and how many there are. */
function listProblems(
  at: SpecPath,
  issues: readonly z.core.$ZodIssue[],
): { listed: Problem[]; total: number } {
  const listed: Problem[] = [];
  let total = 0;
  for (const issue of issues) {
    const path = [...at, ...(issue.path as (string | number)[])];
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
    total += keys ? keys.length : 1;
    if (!keys) {
      if (listed.length < MAX_LISTED_PROBLEMS) listed.push({ path, message: issue.message });
      continue;
    }
    for (const key of keys.slice(0, MAX_LISTED_PROBLEMS - listed.length)) {
      listed.push({ path: [...path, key], message: `unknown key '${key}'`, key });
    }
  }
  return { listed, total };
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
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
