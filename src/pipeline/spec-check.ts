/**
 * `sluice validate`: everything `plan` and `run` would refuse before reading data, every
 * problem at once. The spec's own problems (validate.ts) and, when the source's input exists,
 * those the stages find on its schema: unknown columns (with the nearest name), params that
 * conflict (`noverlap >= nperseg`), names an output layout cannot hold. Only the source's
 * header is read for that (the first file's, for a glob), never its data.
 */
import { SluiceError, wrapError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import type { StageContext } from '../core/stage.ts';
import { checkStages } from './stage-checks.ts';
import { loadSpecFile } from './spec-document.ts';
import type { LoadSpecOptions, SpecDocument } from './spec-document.ts';
import type { ProblemList } from './spec-problems.ts';
import { checkSpec, registryFor } from './validate.ts';
import type { PartialPlan, PipelinePlan, ValidateOptions } from './validate.ts';

export interface CheckSpecOptions extends LoadSpecOptions, ValidateOptions {
  readonly registry?: Registry;
}

/** The plan when the spec has no problem; otherwise one error listing every problem. */
export async function checkSpecFile(
  path: string,
  options: CheckSpecOptions = {},
): Promise<{ plan?: PipelinePlan; error?: SluiceError }> {
  let spec: SpecDocument;
  try {
    spec = await loadSpecFile(path, options);
  } catch (error) {
    return { error: wrapError(error, path, path) };
  }
  const registry = options.registry ?? (await registryFor(spec));
  const { plan, partial, problems } = checkSpec(spec, registry, options);
  await checkOnSchema(spec, partial, problems);
  const error = problems.toError();
  return error ? { error } : { plan };
}

/** The stages' checks on the source's schema, when its (first) input file exists. */
async function checkOnSchema(spec: SpecDocument, partial: PartialPlan, problems: ProblemList): Promise<void> {
  const { source, inputs } = partial;
  if (!source || !inputs || inputs.files.length === 0) return;
  const params = inputs.many ? { ...source.params, path: inputs.files[0] } : source.params;
  const ctx: StageContext = { signal: new AbortController().signal, log: () => {} };
  let opened;
  try {
    opened = await source.stage.create(params, ctx);
  } catch (error) {
    problems.add(wrapError(error, `${source.pointer} (${source.stage.name})`, inputs.files[0]));
    return;
  }
  try {
    const place = {
      specPath: spec.path,
      locate: (at: Parameters<SpecDocument['locate']>[0]) => spec.locate(at),
    };
    checkStages({ ...partial, ...place }, opened.schema, problems);
  } finally {
    await opened.close();
  }
}

/** Throws the error of checkSpecFile, or returns its plan. */
export async function validateSpecDeep(path: string, options: CheckSpecOptions = {}): Promise<PipelinePlan> {
  const { plan, error } = await checkSpecFile(path, options);
  if (error) throw error;
  if (!plan) throw new SluiceError('SPEC_INVALID', `${path}: not a valid spec`, { path });
  return plan;
}
