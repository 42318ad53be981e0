/**
 * The checks of a spec that look at several stages at once, every problem collected: sink
 * names are unique, outputs end in an extension their sink writes, tests name sinks that exist,
 * and the paths: with `root` that each stays inside it, that the inputs exist and the outputs
 * are distinct (validate.ts runs them after the stages' own params).
 */
import { existsSync } from 'node:fs';
import { SluiceError } from '../core/errors.ts';
import type { SinkStage, SourceStage, WrappedSink } from '../core/stage.ts';
import { confineDeclaredInputs, confinePlan, keyPath, resolveRoot } from './confine.ts';
import type { Root } from './confine.ts';
import { expandInputs, hasTemplate } from './inputs.ts';
import type { Inputs } from './inputs.ts';
import { formatPointer } from './spec-document.ts';
import type { SpecDocument } from './spec-document.ts';
import type { ProblemList } from './spec-problems.ts';
import type { SpecTest } from './spec-test-shape.ts';

/** A sink of the spec that validation could plan. */
export interface PlannedSink {
  readonly stage: SinkStage;
  readonly params: Record<string, unknown>;
  readonly name?: string;
}

/** The spec's source, planned. */
export interface PlannedSource {
  readonly stage: SourceStage;
  readonly params: Record<string, unknown>;
}

export interface PathOptions {
  readonly root?: string;
  readonly checkInputs?: boolean;
}

/** Sink names are unique. */
export function checkSinkNames(
  problems: ProblemList,
  spec: SpecDocument,
  sinks: readonly (PlannedSink | undefined)[],
): void {
  const seen = new Map<string, number>();
  sinks.forEach((sink, index) => {
    if (sink?.name === undefined) return;
    const first = seen.get(sink.name);
    if (first === undefined) {
      seen.set(sink.name, index);
      return;
    }
    const at = ['sinks', index, 'name'];
    problems.add(
      new SluiceError('SPEC_INVALID', `${formatPointer(at)}: sinks[${first}] is named '${sink.name}' too`, {
        path: spec.path,
        ...spec.locate(at),
        hint: 'Give each sink its own name.',
      }),
    );
  });
}

/** Outputs of sinks that write by extension end in one they write (a wrapped sink's too). */
export function checkExtensions(
  problems: ProblemList,
  spec: SpecDocument,
  sinks: readonly (PlannedSink | undefined)[],
): void {
  sinks.forEach((sink, index) => {
    let layer: WrappedSink | undefined = sink;
    for (let depth = 0; layer && depth < 4; depth++) {
      const inner: WrappedSink | undefined = layer.stage.wraps?.(layer.params);
      const allowed = layer.stage.extensions;
      // Its own outputs: those of the sink it wraps are that sink's to check.
      const innerOutputs = inner ? inner.stage.outputs(inner.params) : [];
      const own = layer.stage.outputs(layer.params).filter((out) => !innerOutputs.includes(out));
      for (const out of allowed ? own : []) {
        if (allowed!.some((ext) => out.toLowerCase().endsWith(ext))) continue;
        const at = ['sinks', index, ...(keyPath(sink!.params, out) ?? [])];
        problems.add(
          new SluiceError('PARAMS_INVALID', `${formatPointer(at)}: ${layer.stage.name} cannot write ${out}`, {
            path: spec.path,
            ...spec.locate(at),
            hint: `${layer.stage.name} writes its result as ${allowed!.join(', ')}: end the name in one of them.`,
          }),
        );
      }
      layer = inner;
    }
  });
}

/** Every sink a test names exists. */
export function checkTestSinks(
  problems: ProblemList,
  spec: SpecDocument,
  tests: readonly SpecTest[],
  sinks: readonly (PlannedSink | undefined)[],
): void {
  const names = sinks.flatMap((s) => (s?.name === undefined ? [] : [s.name]));
  tests.forEach((test, t) =>
    test.expect.forEach((e, i) => {
      const found = typeof e.sink === 'number' ? e.sink < sinks.length : names.includes(e.sink);
      if (found) return;
      const at = ['tests', t, 'expect', i, 'sink'];
      problems.add(
        new SluiceError('SPEC_INVALID', `${formatPointer(at)}: no sink ${JSON.stringify(e.sink)}`, {
          path: spec.path,
          ...spec.locate(at),
          hint: `Name a sink by its \`name\` (${names.join(', ') || 'none has one'}) or its index (0–${sinks.length - 1}).`,
        }),
      );
    }),
  );
}

/**
 * Inputs and outputs: with `root` that every path stays inside it, that the inputs exist and
 * the outputs are distinct. The inputs, or undefined when they cannot be used.
 */
export function checkPaths(
  problems: ProblemList,
  spec: SpecDocument,
  source: PlannedSource,
  sinkList: readonly (PlannedSink | undefined)[],
  options: PathOptions,
): Inputs | undefined {
  const sinks = sinkList.flatMap((sink, index) => (sink ? [{ sink, index }] : []));
  let root: Root | undefined;
  if (options.root !== undefined) {
    if (!problems.check(() => (root = resolveRoot(options.root!)))) return undefined;
    if (!problems.check(() => confineDeclaredInputs(root!, source, spec))) return undefined;
  }
  const inputs: Inputs = options.checkInputs === false ? { files: [], many: false } : expandInputs(source);
  const confinable = { inputs, source, sinks: sinkList.map((s) => s ?? NO_SINK) };
  if (root && !problems.check(() => confinePlan(root!, confinable, spec))) return undefined;
  const found = options.checkInputs === false || problems.check(() => checkInputsExist(spec, inputs));
  problems.check(() => checkDistinctOutputs(spec, sinks));
  if (inputs.many) problems.check(() => checkOutputsPerFile(spec, sinks));
  return found ? inputs : undefined;
}

/** Stands in for a sink with a problem, so the others keep their indices. */
const NO_SINK = {
  stage: { outputs: () => [] } as unknown as SinkStage,
  params: {},
};

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

type IndexedSinks = readonly { sink: PlannedSink; index: number }[];

/** With several inputs, every output must name its file, or the runs would overwrite each other. */
function checkOutputsPerFile(spec: SpecDocument, sinks: IndexedSinks): void {
  for (const { sink, index } of sinks) {
    const fixed = sink.stage.outputs(sink.params).find((out) => !hasTemplate(out));
    if (fixed === undefined) continue;
    throw new SluiceError('SPEC_INVALID', `sinks[${index}] writes ${fixed} for every input file`, {
      path: spec.path,
      ...spec.locate(['sinks', index, 'out']),
      hint: 'The source names several files: put {stem}, {name} or {dir} in `out`, e.g. out/{stem}.json.',
    });
  }
}

function checkDistinctOutputs(spec: SpecDocument, sinks: IndexedSinks): void {
  const seen = new Map<string, number>();
  for (const { sink, index } of sinks) {
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
  }
}
