import { z } from 'zod';
import { closest } from 'fastest-levenshtein';
import { SluiceError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import type { SinkStage, SourceStage, Stage, StageKind, TransformStage } from '../core/stage.ts';
import { formatPointer } from './spec-document.ts';
import type { SpecDocument, SpecPath, SpecPosition } from './spec-document.ts';
import type { Inputs } from './inputs.ts';
import { checkExtensions, checkPaths, checkSinkNames, checkTestSinks } from './spec-checks.ts';
import { registryOf } from './stage-modules.ts';
import type { StageName } from './stage-modules.ts';
import { ProblemList } from './spec-problems.ts';
import { specTestShape } from './spec-test-shape.ts';
import type { SpecTest } from './spec-test-shape.ts';

export { formatPointer } from './spec-document.ts';
export { MAX_LISTED_PROBLEMS } from './spec-problems.ts';

/** One stage of a validated spec: its declaration and its params with every default filled in. */
export interface StagePlan<S extends Stage = Stage> {
  readonly stage: S;
  readonly params: Record<string, unknown>;
  /** Where it sits in the spec: `source`, `steps[2]`, `sinks[0]`. */
  readonly pointer: string;
  /** The same as a path: `['steps', 2]`. */
  readonly at?: SpecPath;
  /** Its line and column in the spec file, for errors found after validation. */
  readonly position?: SpecPosition;
  /** A sink's `name:`, by which `sluice test` and reports refer to it. */
  readonly name?: string;
}

export interface PipelinePlan {
  readonly name?: string;
  readonly specPath?: string;
  /** The input files the source's path names (several for a glob or a directory). */
  readonly inputs: Inputs;
  readonly source: StagePlan<SourceStage>;
  readonly steps: readonly StagePlan<TransformStage>[];
  readonly sinks: readonly StagePlan<SinkStage>[];
  /** The spec's `tests:` (`sluice test`). */
  readonly tests?: readonly SpecTest[];
  /** The spec's `report:`: where `sluice run` writes its HTML report (`--report` overrides it). */
  readonly report?: string;
  /** Where a spec path is in the spec file, for problems found once the source's schema is known. */
  readonly locate?: (at: SpecPath) => SpecPosition | undefined;
}

/** What validation could plan of a spec with problems: the stages without problems. */
export interface PartialPlan {
  readonly source?: StagePlan<SourceStage>;
  /** One entry per step of the spec; undefined for a step with a problem. */
  readonly steps: readonly (StagePlan<TransformStage> | undefined)[];
  readonly sinks: readonly (StagePlan<SinkStage> | undefined)[];
  /** Undefined when they could not be listed or do not all exist. */
  readonly inputs?: Inputs;
}

/** The outcome of checking a spec: the plan when there is no problem, every problem found. */
export interface SpecCheck {
  readonly plan?: PipelinePlan;
  readonly partial: PartialPlan;
  readonly problems: ProblemList;
}

const stageRef = z.looseObject({ type: z.string() });
const sinkRef = z.looseObject({
  type: z.string(),
  name: z.string().min(1).optional().describe('A name for the sink, by which `tests:` refer to it.'),
});
const specShape = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    source: stageRef,
    steps: z.array(stageRef).default([]),
    sinks: z.array(sinkRef).min(1, 'a pipeline needs at least one sink'),
    tests: z.array(specTestShape).optional(),
    report: z
      .string()
      .min(1)
      .refine((p) => /\.html?$/i.test(p), { message: 'report must end in .html' })
      .optional(),
  })
  .strict();

/** The top-level keys of a spec. */
export const SPEC_KEYS = Object.keys(specShape.shape);

export interface ValidateOptions {
  /** Every input and output must lie inside this directory, symbolic links followed. */
  readonly root?: string;
  /**
   * Whether the source's input files must exist (default true). `sluice test` replaces the
   * source's data, so it does not ask.
   */
  readonly checkInputs?: boolean;
}

/**
 * Checks a spec against the registry without reading any data file: shape, stage names,
 * every stage's params, output extensions, that input files exist and outputs are distinct,
 * and with `root` that every path stays inside it (checked before the source's path is listed
 * or globbed). Throws one error listing every problem.
 */
export function validateSpec(
  spec: SpecDocument,
  registry: Registry,
  options: ValidateOptions = {},
): PipelinePlan {
  const { plan, problems } = checkSpec(spec, registry, options);
  problems.throwIfAny();
  return plan!;
}

/** validateSpec's checks, every problem collected; what could be planned is in `partial`. */
export function checkSpec(spec: SpecDocument, registry: Registry, options: ValidateOptions = {}): SpecCheck {
  const problems = new ProblemList();
  const top = specShape.safeParse(spec.value);
  if (!top.success) addIssues(problems, spec, [], top.error.issues, SPEC_KEYS);
  const value = (isRecord(spec.value) ? spec.value : {}) as Record<string, unknown>;
  const ref = (item: unknown) => (stageRef.safeParse(item).success ? (item as StageRefValue) : undefined);
  const list = (key: string) => (Array.isArray(value[key]) ? (value[key] as unknown[]) : []);
  const plan = <S extends Stage>(kind: StageKind, at: SpecPath, item: unknown) => {
    const found = ref(item);
    return found && (planStage(problems, spec, registry, kind, at, found) as StagePlan<S> | undefined);
  };
  const source = plan<SourceStage>('source', ['source'], value.source);
  const steps = list('steps').map((s, i) => plan<TransformStage>('transform', ['steps', i], s));
  const sinks = list('sinks').map((s, i) => plan<SinkStage>('sink', ['sinks', i], s));
  checkSinkNames(problems, spec, sinks);
  checkExtensions(problems, spec, sinks);
  if (top.success) checkTestSinks(problems, spec, top.data.tests ?? [], sinks);
  const inputs = source && checkPaths(problems, spec, source, sinks, options);
  const partial: PartialPlan = { source, steps, sinks, inputs };
  if (!problems.isEmpty || !top.success || !source || !inputs) return { partial, problems };
  return {
    partial,
    problems,
    plan: {
      name: top.data.name,
      specPath: spec.path,
      inputs,
      source,
      steps: steps as StagePlan<TransformStage>[],
      sinks: sinks as StagePlan<SinkStage>[],
      tests: top.data.tests,
      ...(top.data.report === undefined ? {} : { report: top.data.report }),
      locate: (at) => spec.locate(at),
    },
  };
}

type StageRefValue = { type: string } & Record<string, unknown>;

/**
 * The registry to check `spec` against: only the stages it names when each loads alone
 * (stage-modules.ts), which spares `sluice run` loading every stage; else every stage. Either
 * finds the spec's stages alike, so the plan, and every problem reported, are the same.
 */
export function registryFor(spec: Pick<SpecDocument, 'value'>): Promise<Registry> {
  return registryOf(namedStages(spec.value));
}

/** The stages a spec names, each of the kind its place says, as checkSpec reads them. */
function namedStages(value: unknown): StageName[] {
  const spec = (isRecord(value) ? value : {}) as Record<string, unknown>;
  const list = (key: string) => (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : []);
  const named = (kind: StageKind, items: readonly unknown[]): StageName[] =>
    items.flatMap((item) =>
      stageRef.safeParse(item).success ? [{ name: (item as StageRefValue).type, kind }] : [],
    );
  return [
    ...named('source', [spec.source]),
    ...named('transform', list('steps')),
    ...named('sink', list('sinks')),
  ];
}

function isRecord(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function planStage(
  problems: ProblemList,
  spec: SpecDocument,
  registry: Registry,
  kind: StageKind,
  at: SpecPath,
  ref: StageRefValue,
): StagePlan | undefined {
  const { type, ...rest } = ref;
  let rawParams: Record<string, unknown> = rest;
  let name: unknown;
  // A sink's `name` names the sink in the spec; it is not one of the stage's params.
  if (kind === 'sink') ({ name, ...rawParams } = rest);
  const stage = registry.get(type, kind);
  if (!stage) {
    problems.add(unknownStageError(spec, registry, kind, [...at, 'type'], type, registry.get(type)));
    return undefined;
  }
  const parsed = stage.params.safeParse(rawParams);
  if (!parsed.success) {
    addIssues(problems, spec, at, parsed.error.issues, paramKeys(stage), type);
    return undefined;
  }
  return {
    stage,
    params: parsed.data as Record<string, unknown>,
    pointer: formatPointer(at),
    at,
    position: spec.locate(at),
    ...(typeof name === 'string' ? { name } : {}),
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

/**
 * A failed parse's issues as problems, each at its line and column: an unknown key at the key,
 * with the nearest known key as its hint (zod reports every unknown key of a map).
 */
function addIssues(
  problems: ProblemList,
  spec: SpecDocument,
  at: SpecPath,
  issues: readonly z.core.$ZodIssue[],
  knownKeys: string[],
  stageName?: string,
): void {
  const code = at.length === 0 ? 'SPEC_INVALID' : 'PARAMS_INVALID';
  let first = true;
  const named = () => {
    const text = stageName && first ? ` for ${stageName}` : '';
    first = false;
    return text;
  };
  for (const issue of issues) {
    const path = [...at, ...(issue.path as (string | number)[])];
    if (issue.code !== 'unrecognized_keys') {
      named();
      problems.add(
        new SluiceError(code, `${path.length ? formatPointer(path) : '(top level)'}: ${issue.message}`, {
          path: spec.path,
          ...spec.locate(path),
          hint: stageName
            ? `\`sluice stages ${stageName}\` shows its params and defaults.`
            : 'See the spec reference in README.md; `sluice schema` prints the JSON Schema of a spec.',
        }),
      );
      continue;
    }
    // Only the first MAX_LISTED_PROBLEMS are made (and located): a map may have 100,000 keys.
    for (const [i, key] of issue.keys.entries()) {
      if (problems.isFull) {
        problems.count(issue.keys.length - i);
        break;
      }
      const keyAt = [...path, key];
      const nearest = knownKeys.length ? closest(key, knownKeys) : undefined;
      problems.add(
        new SluiceError(code, `${formatPointer(keyAt)}: unknown key '${key}'${named()}`, {
          path: spec.path,
          ...spec.locate(keyAt, true),
          hint: `${nearest ? `Did you mean '${nearest}'? ` : ''}Valid keys: ${knownKeys.join(', ')}.`,
        }),
      );
    }
  }
}

/**
 * One stage definition checked against the registry, as a spec's would be (the Node-stream
 * API opens stages one at a time): its plan, or one error listing its problems.
 */
export function planStageRef<S extends Stage>(
  kind: S['kind'],
  ref: { readonly type: string } & Readonly<Record<string, unknown>>,
  registry: Registry,
): StagePlan<S> {
  const problems = new ProblemList();
  const spec: SpecDocument = { path: '(api)', value: ref, locate: () => undefined };
  const at = [kind === 'transform' ? 'step' : kind];
  const found = stageRef.safeParse(ref).success
    ? planStage(problems, spec, registry, kind, at, ref as StageRefValue)
    : undefined;
  if (!found && problems.isEmpty) {
    problems.add(new SluiceError('PARAMS_INVALID', `${kind}: a stage definition needs a string \`type\``));
  }
  problems.throwIfAny();
  return found as StagePlan<S>;
}
