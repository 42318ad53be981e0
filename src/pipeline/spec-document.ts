import { readFile } from 'node:fs/promises';
import { LineCounter, parse as parseYamlValue, parseDocument, isMap, isScalar, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import { SluiceError } from '../core/errors.ts';

/** A path into a spec: `['sinks', 1, 'bins']`. */
export type SpecPath = readonly (string | number)[];

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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SluiceError('INPUT_MISSING', `cannot read spec file: ${(error as Error).message}`, {
      path,
      hint: 'Check the spec path.',
    });
  }
  return parseSpecText(text, path, options);
}

/** Parses YAML (or JSON, which is YAML), interpolates `${VAR}`, applies `--set`. */
export function parseSpecText(text: string, path: string, options: LoadSpecOptions = {}): SpecDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const positionAt = (offset: number): SpecPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    throw new SluiceError('SPEC_SYNTAX', `YAML syntax: ${syntaxError.message.split('\n')[0]}`, {
      path,
      ...positionAt(syntaxError.pos[0]),
      hint: 'Fix the YAML syntax at this position.',
    });
  }
  interpolateEnv(doc, options.env ?? process.env, path, positionAt);
  for (const [key, raw] of Object.entries(options.set ?? {})) applySet(doc, key, raw);
  return {
    path,
    value: doc.toJS(),
    locate: (specPath, atKey) => {
      const node = findNode(doc, specPath, atKey ?? false);
      return node?.range ? positionAt(node.range[0]) : undefined;
    },
  };
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

/** `sinks[0].out` or `sinks.0.out` → `['sinks', 0, 'out']`. */
export function parseSetPath(key: string): (string | number)[] {
  return key
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function applySet(doc: Document, key: string, raw: string | number | boolean): void {
  const path = parseSetPath(key);
  if (path.length === 0)
    throw new SluiceError('USAGE', `--set needs a key: '${key}'`, { hint: 'e.g. --set source.path=x.npy' });
  const value = typeof raw === 'string' ? parseYamlValue(raw) : raw;
  doc.setIn(path, doc.createNode(value));
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
