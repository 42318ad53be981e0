/**
 * One spec, many files: a source `path` that is a glob or a directory names several inputs,
 * and the pipeline runs once per file with `{stem}`, `{name}` and `{dir}` in the sinks'
 * params standing for that file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import type { SourceStage } from '../core/stage.ts';

export interface Inputs {
  /** The files to run over, sorted. */
  readonly files: readonly string[];
  /** True when `path` was a glob or a directory (even if it matched one file). */
  readonly many: boolean;
}

/**
 * The files a source's input (its `path`, with `recursive`) names. An existing file is itself
 * even when its name has glob characters (`run (2).npy`); otherwise a glob or a directory
 * names several.
 */
export function expandInputs(source: {
  readonly stage: SourceStage;
  readonly params: Record<string, unknown>;
}): Inputs {
  const declared = source.stage.inputs(source.params);
  if (declared.length !== 1) return { files: declared, many: false };
  const [path] = declared;
  if (isDirectory(path)) {
    const recursive = source.params.recursive === true;
    return { files: listDirectory(path, recursive, source.stage.extensions), many: true };
  }
  if (existsSync(path) || !isDynamicPattern(path)) return { files: [path], many: false };
  return { files: globSync(path, { onlyFiles: true, expandDirectories: false }).sort(), many: true };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Regular files under `dir` with one of the source's extensions (any, when it declares none). */
function listDirectory(dir: string, recursive: boolean, extensions: readonly string[] | undefined): string[] {
  return readdirSync(dir, { recursive, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .filter((file) => !extensions || extensions.includes(extname(file).toLowerCase()))
    .sort();
}

/** `{stem}`, `{name}` and `{dir}` of an input file, as the sinks' templates use them. */
export function templateValues(file: string): Readonly<Record<string, string>> {
  const name = basename(file);
  return { name, stem: name.slice(0, name.length - extname(name).length), dir: dirname(file) };
}

const TEMPLATE = /\{(stem|name|dir)\}/g;

/** Replaces the templates in every string inside `value` (params are plain JSON-like data). */
export function fillTemplates<T>(value: T, values: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') return value.replace(TEMPLATE, (_m, key: string) => values[key]) as T;
  if (Array.isArray(value)) return value.map((item) => fillTemplates(item, values)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplates(v, values)])) as T;
  }
  return value;
}

export function hasTemplate(text: string): boolean {
  return /\{(stem|name|dir)\}/.test(text);
}
