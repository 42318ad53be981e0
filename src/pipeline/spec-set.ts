/**
 * `--set key=value` overrides: the key is a spec path (`sinks[1].bins`), the value YAML. A key
 * may go through maps and lists that exist, append to a list (`sinks[2]` of two sinks) or
 * create maps, never index far past a list's end or into a scalar; a value is held to the
 * spec's own limits (spec-limits.ts). Every refusal is a SluiceError naming the `--set`.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { SluiceError } from '../core/errors.ts';
import { findSpecProblem, MAX_ALIAS_NODES, MAX_DEPTH } from './spec-limits.ts';

/** A path into a spec: `['sinks', 1, 'bins']`. */
export type SpecPath = readonly (string | number)[];

const SET_EXAMPLE = 'e.g. --set source.path=x.npy --set sinks[1].bins=500';

/** `sinks[0].out` or `sinks.0.out` → `['sinks', 0, 'out']`. */
export function parseSetPath(key: string): (string | number)[] {
  const path = key
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const bad = path.find((part) => typeof part === 'string' && /[[\]]/.test(part));
  if (bad !== undefined) {
    throw new SluiceError('SPEC_SYNTAX', `--set ${key}: '${bad}' is not a key or a [index]`, {
      hint: `List indices are whole numbers in brackets: ${SET_EXAMPLE}.`,
    });
  }
  if (path.length > MAX_DEPTH) {
    throw new SluiceError('SPEC_INVALID', `--set ${key}: the key has more than ${MAX_DEPTH} parts`, {
      hint: `A spec needs a few levels: ${SET_EXAMPLE}.`,
    });
  }
  return path;
}

/** `--set` value text as YAML: `500` is a number, `[a, b]` a list, `'[1'` is refused. */
export function parseSetValue(key: string, text: string): unknown {
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  } catch (error) {
    // yaml reports its own stack exhaustion as an error; this is for anything it lets through.
    throw setValueError(key, (error as Error).message);
  }
  const error = doc.errors[0];
  if (error) {
    const reason =
      error.code === 'RESOURCE_EXHAUSTION'
        ? `it nests too deeply (at most ${MAX_DEPTH} levels)`
        : `${error.message.split('\n')[0]} (at character ${error.pos[0] + 1})`;
    throw setValueError(key, reason);
  }
  const problem = findSpecProblem(doc);
  if (problem) {
    throw new SluiceError(problem.code, `--set ${key}: ${problem.message}`, { hint: problem.hint });
  }
  return doc.toJS({ maxAliasCount: MAX_ALIAS_NODES });
}

function setValueError(key: string, reason: string): SluiceError {
  return new SluiceError('SPEC_SYNTAX', `--set ${key}: the value is not valid YAML: ${reason}`, {
    hint: `Quote a value meant as text: --set '${key}="..."'. Lists and maps must be complete: [1, 2], {a: 1}.`,
  });
}

/** Applies one override to the document; `raw` strings are read as YAML. */
export function applySet(doc: Document, key: string, raw: string | number | boolean): void {
  const path = parseSetPath(key);
  if (path.length === 0) throw new SluiceError('USAGE', `--set needs a key: '${key}'`, { hint: SET_EXAMPLE });
  checkSetPath(doc, key, path);
  const value = typeof raw === 'string' ? parseSetValue(key, raw) : raw;
  doc.setIn(path, doc.createNode(value));
}

/**
 * Walks the key through the document as it is: through maps and lists, to a list index at
 * most one past its end (which appends), or into keys that do not exist yet (created as
 * maps, or lists for an index, which must then be 0). An empty value (`steps:`) on the way
 * becomes the map or list the key goes into.
 */
function checkSetPath(doc: Document, key: string, path: SpecPath): void {
  let node: unknown = doc.contents;
  for (const [depth, part] of path.entries()) {
    const at = formatPointer(path.slice(0, depth)) || '(top level)';
    if (isScalar(node) && node.value === null) {
      const empty = doc.createNode(typeof part === 'number' ? [] : {});
      if (depth === 0) doc.contents = empty;
      else doc.setIn(path.slice(0, depth), empty);
      node = empty;
    }
    if (node === null || node === undefined) {
      if (typeof part === 'number' && part !== 0) {
        throw refusal(key, `${at} is not a list yet, so its first index is 0, not ${part}`);
      }
    } else if (isSeq(node)) {
      if (typeof part !== 'number') throw refusal(key, `${at} is a list: name an item as ${at}[0]`);
      if (part > node.items.length) {
        const count = node.items.length;
        throw refusal(
          key,
          `${formatPointer(path.slice(0, depth + 1))} is past the end of ${at}, which has ${count} item${count === 1 ? '' : 's'}`,
          pastEndHint(at, count),
        );
      }
      node = node.items[part];
    } else if (isMap(node)) {
      node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === part)?.value;
    } else if (isAlias(node)) {
      throw refusal(key, `${at} is an alias (*${node.source})`, 'Set the value where its anchor is defined.');
    } else {
      const text = isScalar(node) ? String(JSON.stringify(node.value)) : 'a value';
      const value = text.length > 40 ? `${text.slice(0, 40)}…` : text;
      throw refusal(key, `${at} is ${value}, not a map or a list, so it has no '${part}'`);
    }
  }
}

/** What a key into a list of `count` items may name instead. */
function pastEndHint(at: string, count: number): string {
  const append = `append one as ${at}[${count}]`;
  if (count === 0) return `The list is empty: ${append}.`;
  return count === 1
    ? `Set ${at}[0], or ${append}.`
    : `Set one of ${at}[0]..${at}[${count - 1}], or ${append}.`;
}

function refusal(key: string, message: string, hint?: string): SluiceError {
  return new SluiceError('SPEC_INVALID', `--set ${key}: ${message}`, {
    hint: hint ?? `A key goes through the spec's maps and lists: ${SET_EXAMPLE}.`,
  });
}

/** `['sinks', 0, 'out']` → `sinks[0].out`. */
export function formatPointer(path: SpecPath): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  );
}
