/**
 * Sharding for accumulator tests (docs/design.md §2–3): cut [0, rows) into row ranges, accumulate
 * each range apart, and merge the parts in shuffled orders and different groupings.
 */

export interface Mergeable<A> {
  merge(other: A): void;
}

/** A small deterministic PRNG (mulberry32), so shuffles are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** `count` contiguous ranges covering [0, rows) at random cuts; empty ranges allowed. */
export function shardRows(rows: number, count: number, seed: number): Array<[number, number]> {
  const random = seededRandom(seed);
  const cuts = Array.from({ length: count - 1 }, () => Math.floor(random() * (rows + 1))).sort(
    (a, b) => a - b,
  );
  const bounds = [0, ...cuts, rows];
  return bounds.slice(1).map((end, i) => [bounds[i], end]);
}

/**
 * Merges the shards `build()` returns in several ways: a left fold into a fresh accumulator
 * in shuffled order, a right fold, and a balanced tree, each from a new `build()` (merging
 * mutates). Returns one merged accumulator per way.
 */
export function mergeInOrders<A extends Mergeable<A>>(build: () => A[], fresh: () => A, seed: number): A[] {
  const random = seededRandom(seed);
  const leftFold = shuffled(build(), random).reduce((acc, shard) => (acc.merge(shard), acc), fresh());
  const right = shuffled(build(), random);
  for (let i = right.length - 2; i >= 0; i--) right[i].merge(right[i + 1]);
  return [leftFold, right[0], mergeTree(shuffled(build(), random))];
}

function mergeTree<A extends Mergeable<A>>(parts: A[]): A {
  while (parts.length > 1) {
    const next: A[] = [];
    for (let i = 0; i < parts.length; i += 2) {
      if (i + 1 < parts.length) parts[i].merge(parts[i + 1]);
      next.push(parts[i]);
    }
    parts = next;
  }
  return parts[0];
}
