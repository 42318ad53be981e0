/**
 * What a YAML spec (or a `--set` value) may not do, checked in one pass over the parsed
 * document before it becomes a value: nest deeper than MAX_DEPTH, repeat a key, use an alias
 * whose anchor is undefined or encloses it, have more than MAX_ANCHORS anchors and aliases, or
 * expand aliases into more than MAX_ALIAS_NODES nodes (a "billion laughs"). The pass is linear
 * in the document's size.
 */
import { isAlias, isCollection, isMap, isPair, isScalar } from 'yaml';
import type { Alias, Document, Node } from 'yaml';

/** Collections may nest this deep; a spec needs a handful of levels. */
export const MAX_DEPTH = 64;
/** Aliases may add this many nodes in all, counted as if every alias were copied out. */
export const MAX_ALIAS_NODES = 100_000;
/** Anchors and aliases in one document: yaml resolves an alias by a scan over those before it. */
export const MAX_ANCHORS = 1000;

export type SpecProblemCode = 'SPEC_SYNTAX' | 'SPEC_INVALID';

/** The first thing wrong with a document's structure, and where (a character offset). */
export interface SpecProblem {
  readonly code: SpecProblemCode;
  readonly message: string;
  readonly hint: string;
  readonly offset?: number;
}

/** The first structural problem of `doc` in document order, or undefined when there is none. */
export function findSpecProblem(doc: Document): SpecProblem | undefined {
  try {
    new StructureWalk().walk(doc.contents, 0);
    return undefined;
  } catch (error) {
    if (error instanceof ProblemFound) return error.problem;
    throw error;
  }
}

class ProblemFound extends Error {
  constructor(readonly problem: SpecProblem) {
    super(problem.message);
  }
}

function problemAt(
  node: Node | undefined,
  code: SpecProblemCode,
  message: string,
  hint: string,
): ProblemFound {
  return new ProblemFound({ code, message, hint, offset: node?.range?.[0] });
}

class StructureWalk {
  /** The node each anchor names at this point of the walk: the last one defined before it. */
  private readonly anchors = new Map<string, Node>();
  /** Nodes an anchored node stands for, its aliases expanded. */
  private readonly sizes = new Map<Node, number>();
  /** Collections being walked: an alias to one of them would make the value contain itself. */
  private readonly open = new Set<Node>();
  private marks = 0;
  private aliasNodes = 0;

  /** Walks `node` at `depth` collections deep; returns the nodes it stands for, aliases expanded. */
  walk(node: unknown, depth: number): number {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) return this.alias(node);
    const current = node as Node;
    // Registered before the children, as yaml resolves: an alias means the last anchor before it.
    if (current.anchor) {
      this.countMark(current);
      this.anchors.set(current.anchor, current);
    }
    const size = isCollection(current) ? this.collection(current, depth) : 1;
    if (current.anchor) this.sizes.set(current, size);
    return size;
  }

  private collection(node: Node & { items: unknown[] }, depth: number): number {
    if (depth >= MAX_DEPTH) {
      throw problemAt(
        node,
        'SPEC_INVALID',
        `the YAML nests deeper than ${MAX_DEPTH} levels`,
        'A spec needs a few levels of maps and lists; flatten this value.',
      );
    }
    this.open.add(node);
    const keys = isMap(node) ? new Set<unknown>() : undefined;
    let size = 1;
    for (const item of node.items) {
      if (!isPair(item)) {
        size += this.walk(item, depth + 1);
        continue;
      }
      if (keys && isScalar(item.key)) {
        if (keys.has(item.key.value)) {
          throw problemAt(
            item.key,
            'SPEC_SYNTAX',
            `YAML syntax: duplicate key '${String(item.key.value)}'`,
            'Each key may appear once in a map: remove or rename one of them.',
          );
        }
        keys.add(item.key.value);
      }
      size += this.walk(item.key, depth + 1) + this.walk(item.value, depth + 1);
    }
    this.open.delete(node);
    return size;
  }

  private alias(alias: Alias): number {
    const target = this.anchors.get(alias.source);
    if (!target) {
      throw problemAt(
        alias,
        'SPEC_SYNTAX',
        `YAML syntax: undefined alias *${alias.source}`,
        `Define the anchor (&${alias.source}) before the alias (*${alias.source}) that uses it.`,
      );
    }
    if (this.open.has(target)) {
      throw problemAt(
        alias,
        'SPEC_SYNTAX',
        `YAML syntax: alias *${alias.source} refers to a collection that contains it`,
        'A value cannot contain itself: point the alias at another anchor.',
      );
    }
    this.countMark(alias);
    const size = this.sizes.get(target) ?? 1;
    this.aliasNodes += size;
    if (this.aliasNodes > MAX_ALIAS_NODES) {
      throw problemAt(
        alias,
        'SPEC_INVALID',
        `aliases expand the YAML to more than ${MAX_ALIAS_NODES} nodes`,
        'Aliases nested in aliases multiply (a "billion laughs"): write the values out, or use fewer aliases.',
      );
    }
    return size;
  }

  private countMark(node: Node): void {
    this.marks += 1;
    if (this.marks <= MAX_ANCHORS) return;
    throw problemAt(
      node,
      'SPEC_INVALID',
      `the YAML has more than ${MAX_ANCHORS} anchors and aliases`,
      'A spec needs a few: write the values out.',
    );
  }
}
