import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isScalar, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import { SluiceError } from '../core/errors.ts';
import { findSpecProblem, MAX_ALIAS_NODES } from './spec-limits.ts';
import { applySet } from './spec-set.ts';
import type { SpecPath } from './spec-set.ts';

export { formatPointer, parseSetPath, parseSetValue } from './spec-set.ts';
export type { SpecPath } from './spec-set.ts';

/** A spec is a page or two of YAML; a bigger file is refused before it is read into memory. */
export const MAX_SPEC_BYTES = 16 * 1024 * 1024;

export interface SpecPosition {
  readonly line: number;
  readonly column: number;
}

/** A parsed spec that still knows where each value came from in its file. */
export interface SpecDocument {
  readonly path: string;
  readonly value: unknown;
  /** Where `specPath` is in the file (the key, for a key that should not be there). */
  locate(specPath: SpecPath, atKey?: boolean): SpecPosition | undefined;
}

export interface LoadSpecOptions {
  /** `--set` overrides: `{ 'source.path': 'x.npy', 'sinks[0].bins': '50' }`; values parse as YAML. */
  readonly set?: Readonly<Record<string, string | number | boolean>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export async function loadSpecFile(path: string, options: LoadSpecOptions = {}): Promise<SpecDocument> {
  return parseSpecText(await readSpecText(path), path, options);
}

/** The spec file's text: a regular file (not a pipe or device) of at most MAX_SPEC_BYTES. */
async function readSpecText(path: string): Promise<string> {
  const cannotRead = (reason: string, hint = 'Check the spec path.') =>
    new SluiceError('INPUT_MISSING', `cannot read spec file: ${reason}`, { path, hint });
  try {
    const info = await stat(path);
    if (!info.isFile()) throw cannotRead('not a regular file', 'Name a YAML or JSON file.');
    if (info.size > MAX_SPEC_BYTES) {
      throw new SluiceError('SPEC_INVALID', `spec file is ${info.size} bytes, more than a spec can be`, {
        path,
        hint: `Specs are limited to ${MAX_SPEC_BYTES / 1024 / 1024} MiB; is this the data file?`,
      });
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    throw error instanceof SluiceError ? error : cannotRead((error as Error).message);
  }
}

/**
 * Parses YAML (or JSON, which is YAML), interpolates `${VAR}`, applies `--set`. Anything
 * wrong (syntax, undefined or exploding aliases, duplicate keys, nesting, a bad `--set`) is a
 * SluiceError, SPEC_SYNTAX or SPEC_INVALID, at its line and column when it has one.
 */
export function parseSpecText(text: string, path: string, options: LoadSpecOptions = {}): SpecDocument {
  const lineCounter = new LineCounter();
  const positionAt = (offset: number): SpecPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const doc = parseYaml(text, path, lineCounter);
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const message =
      syntaxError.code === 'RESOURCE_EXHAUSTION'
        ? 'YAML nests deeper than the parser can follow'
        : syntaxError.message.split('\n')[0];
    throw new SluiceError('SPEC_SYNTAX', `YAML syntax: ${message}`, {
      path,
      ...positionAt(syntaxError.pos[0]),
      hint: 'Fix the YAML syntax at this position.',
    });
  }
  checkStructure(doc, path, positionAt);
  interpolateEnv(doc, options.env ?? process.env, path, positionAt);
  const sets = Object.entries(options.set ?? {});
  for (const [key, raw] of sets) applySet(doc, key, raw);
  if (sets.length > 0) checkStructure(doc, path, positionAt);
  return {
    path,
    value: toValue(doc, path),
    locate: (specPath, atKey) => {
      const node = findNode(doc, specPath, atKey ?? false);
      return node?.range ? positionAt(node.range[0]) : undefined;
    },
  };
}

/**
 * Keys are checked for uniqueness by checkStructure, in one pass: yaml's own check compares
 * every key with every other, minutes for a map of 100,000 keys.
 */
function parseYaml(text: string, path: string, lineCounter: LineCounter): Document {
  try {
    return parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    throw new SluiceError('SPEC_SYNTAX', `YAML syntax: ${(error as Error).message}`, {
      path,
      hint: 'Fix the YAML syntax; a spec needs a few levels of nesting, no more.',
      cause: error,
    });
  }
}

function checkStructure(doc: Document, path: string, positionAt: (offset: number) => SpecPosition): void {
  const problem = findSpecProblem(doc);
  if (!problem) return;
  throw new SluiceError(problem.code, problem.message, {
    path,
    ...(problem.offset === undefined ? {} : positionAt(problem.offset)),
    hint: problem.hint,
  });
}

/** The document as plain data; checkStructure has bounded what aliases expand to. */
function toValue(doc: Document, path: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_NODES });
  } catch (error) {
    throw new SluiceError('SPEC_SYNTAX', `YAML: ${(error as Error).message}`, {
      path,
      hint: 'Check the anchors (&name) and aliases (*name) of the spec.',
      cause: error,
    });
  }
}

// A default may hold {stem}-style templates: `${OUT:-out/{stem}.json}`.
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^{}]|\{[^{}]*\})*))?\}/g;

/** Replaces `${VAR}` and `${VAR:-default}` in string scalars. */
export function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { value: string; missing?: string } {
  let missing: string | undefined;
  const value = text.replace(ENV_REF, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing ??= name;
    return '';
  });
  return missing === undefined ? { value } : { value, missing };
}

function interpolateEnv(
  doc: Document,
  env: Readonly<Record<string, string | undefined>>,
  path: string,
  positionAt: (offset: number) => SpecPosition,
): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const { value, missing } = interpolateString(node.value, env);
      if (missing !== undefined) {
        throw new SluiceError('ENV_UNDEFINED', `environment variable ${missing} is not set`, {
          path,
          ...(node.range ? positionAt(node.range[0]) : {}),
          hint: `Set ${missing}, or give a default: \${${missing}:-value}.`,
        });
      }
      node.value = value;
    },
  });
}

function findNode(doc: Document, specPath: SpecPath, atKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (const part of specPath) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
      if (!pair) return keyNode ?? (node as Node);
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node && typeof part === 'number') {
      const items = (node as { items: unknown[] }).items;
      if (part >= items.length) return node as Node;
      keyNode = items[part] as Node;
      node = items[part];
    } else {
      return (node as Node | undefined) ?? keyNode;
    }
  }
  return atKey && keyNode ? keyNode : ((node as Node | null) ?? keyNode);
}
