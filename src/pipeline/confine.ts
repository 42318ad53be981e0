/**
 * `--root DIR`: every input and output a plan names must lie inside DIR once symbolic links
 * are followed, or the run is refused before anything is opened. An output that does not
 * exist yet is placed by its nearest existing directory. The paths are the ones stages
 * declare (`inputs(params)`, `outputs(params)`): nothing here knows a stage.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import type { SinkStage, SourceStage } from '../core/stage.ts';
import { fillTemplates, templateValues } from './inputs.ts';
import type { Inputs } from './inputs.ts';
import { formatPointer } from './spec-document.ts';
import type { SpecDocument, SpecPath } from './spec-document.ts';

/** The directory paths must stay in: as given, and with its links followed. */
export interface Root {
  readonly dir: string;
  readonly real: string;
}

/** What confinement reads of a plan (a PipelinePlan is one). */
export interface ConfinablePlan {
  readonly inputs: Inputs;
  readonly source: { readonly stage: SourceStage; readonly params: Record<string, unknown> };
  readonly sinks: readonly { readonly stage: SinkStage; readonly params: Record<string, unknown> }[];
}

/** Where errors point: the spec's file and the line of a spec path. */
export type SpecPlace = Pick<SpecDocument, 'path' | 'locate'>;

/** `--root` as a directory that exists; USAGE otherwise. */
export function resolveRoot(dir: string): Root {
  let real: string;
  try {
    real = realpathSync(resolve(dir));
  } catch (error) {
    throw new SluiceError('USAGE', `--root ${dir}: ${(error as Error).message}`, {
      hint: 'Name an existing directory.',
    });
  }
  if (!statSync(real).isDirectory()) {
    throw new SluiceError('USAGE', `--root ${dir} is not a directory`, {
      hint: 'Name an existing directory.',
    });
  }
  return { dir, real };
}

/**
 * The source's paths as the spec writes them (a glob or a directory unexpanded), checked
 * before anything lists or opens them.
 */
export function confineDeclaredInputs(root: Root, source: ConfinablePlan['source'], spec: SpecPlace): void {
  for (const path of source.stage.inputs(source.params)) {
    confinePath(root, path, ['source', ...(keyPath(source.params, path) ?? [])], spec);
  }
}

/** Every input file of the plan and every output its sinks write for each of them. */
export function confinePlan(root: Root, plan: ConfinablePlan, spec: SpecPlace): void {
  const declared = plan.source.stage.inputs(plan.source.params);
  const inputAt = plan.inputs.many ? keyPath(plan.source.params, declared[0]) : undefined;
  for (const file of plan.inputs.files) {
    confinePath(root, file, ['source', ...(inputAt ?? keyPath(plan.source.params, file) ?? [])], spec);
  }
  // Sinks' `{stem}`, `{name}` and `{dir}` are filled from each input file, as the run does.
  const fills = plan.inputs.files.length > 0 ? plan.inputs.files.map(templateValues) : [undefined];
  for (const values of fills) {
    plan.sinks.forEach((sink, index) => {
      const params = values ? fillTemplates(sink.params, values) : sink.params;
      for (const out of sink.stage.outputs(params)) {
        confinePath(root, out, ['sinks', index, ...(keyPath(params, out) ?? [])], spec);
      }
    });
  }
}

function confinePath(root: Root, path: string, at: SpecPath, spec: SpecPlace): void {
  const real = realLocation(path);
  if (real !== undefined && isInside(root.real, real)) return;
  const lexicallyInside = isInside(resolve(root.dir), resolve(path)) || isInside(root.real, resolve(path));
  const why =
    real === undefined
      ? ' (it goes through a broken symbolic link)'
      : lexicallyInside
        ? ' (a symbolic link on the way leads out)'
        : '';
  throw new SluiceError(
    'PATH_OUTSIDE_ROOT',
    `${formatPointer(at)}: ${path} is outside --root ${root.dir}${why}`,
    {
      path: spec.path,
      ...spec.locate(at),
      hint: `With --root, every input and output must be inside ${root.dir}, symbolic links followed.`,
    },
  );
}

/**
 * Where in the params `value` is: `['out']`, `['of', 'out']`, `['paths', 2]`; undefined when no
 * param holds it as it is (a stage may derive a path from a param).
 */
export function keyPath(params: unknown, value: string | undefined, depth = 0): SpecPath | undefined {
  if (params === value) return [];
  if (depth > 8 || params === null || typeof params !== 'object') return undefined;
  const entries = Array.isArray(params) ? params.entries() : Object.entries(params);
  for (const [key, held] of entries) {
    const rest = keyPath(held, value, depth + 1);
    if (rest) return [key, ...rest];
  }
  return undefined;
}

/**
 * Where `path` is on disk, as the system would resolve it: each existing component with its
 * links followed (so `link/..` is the link target's parent, not the link's), the components
 * that do not exist yet appended as written. Undefined for a path through a broken link.
 */
export function realLocation(path: string): string | undefined {
  let current = isAbsolute(path) ? parse(path).root : realpathSync(process.cwd());
  for (const part of path.split(sep === '/' ? '/' : /[\\/]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    if (isLink(next)) {
      const target = realpathOrUndefined(next);
      if (target === undefined) return undefined;
      current = target;
    } else {
      // A directory, a file, or a name to be created (mkdir makes real directories).
      current = next;
    }
  }
  return current;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
