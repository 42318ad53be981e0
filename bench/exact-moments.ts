/**
 * Throughput of the exact moments kernels (src/stats/exact-moments.ts) against today's
 * momentsOf, in the same run, over 1 Mi-value views as the stats sink sees them:
 *   npx tsx bench/exact-moments.ts [repeats]
 * Then ExactSumVector against a plain float64 sum over the lanes of Welch-like periodograms.
 * Each kernel runs `repeats` times (default 5), alternating with the other; the best time is
 * kept, since other processes on the machine only ever make a run slower.
 */
import type { TypedArray } from '../src/core/dtype.ts';
import { ExactMoments } from '../src/stats/exact-moments.ts';
import { ExactSumVector } from '../src/stats/exact-sum-vector.ts';

interface OldMomentsModule {
  momentsOf(data: TypedArray): unknown;
  combineMoments(into: unknown, other: unknown): void;
  emptyMoments(): unknown;
}

const VIEW = 2 ** 20;
const repeats = Number(process.argv[2] ?? 5);

/** Today's kernel, wherever the reorganisation has put it. */
async function importOldMoments(): Promise<OldMomentsModule> {
  for (const path of ['../src/stats/moments.ts', '../src/sinks/util/moments.ts']) {
    try {
      return (await import(path)) as OldMomentsModule;
    } catch {
      // not there (yet / any more)
    }
  }
  throw new Error('momentsOf not found under src/stats or src/sinks/util');
}

/** A seeded uniform generator (mulberry32), so every run measures the same data. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The measured data sets: a drifting ramp and zero-mean noise (the kernels' best and worst). */
function dataSets(): [string, TypedArray][] {
  const random = seeded(42);
  const f32 = 64 * VIEW;
  const n = 16 * VIEW;
  return [
    ['float32 drift', Float32Array.from({ length: f32 }, (_, i) => -1 + (2.002 * i) / (f32 - 1))],
    ['float32 noise', Float32Array.from({ length: f32 }, () => gaussian(random))],
    ['float64 noise', Float64Array.from({ length: n }, () => 1e3 * gaussian(random))],
    ['int32', Int32Array.from({ length: n }, () => Math.floor(random() * 2 ** 32) - 2 ** 31)],
    ['int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_003n - 2n ** 40n)],
  ];
}

function views(data: TypedArray): TypedArray[] {
  const out: TypedArray[] = [];
  for (let start = 0; start < data.length; start += VIEW) out.push(data.subarray(start, start + VIEW));
  return out;
}

function exactPass(parts: TypedArray[]): number {
  const moments = new ExactMoments();
  for (const part of parts) moments.add(part);
  return moments.mean() + moments.std();
}

function oldPass(parts: TypedArray[], old: OldMomentsModule): void {
  const total = old.emptyMoments();
  for (const part of parts) old.combineMoments(total, old.momentsOf(part));
}

function seconds(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function describeRate(label: string, best: number, data: TypedArray): string {
  const ns = (best * 1e9) / data.length;
  const values = data.length / best / 1e6;
  const gb = data.byteLength / best / 1e9;
  return `${label} ${ns.toFixed(2)} ns/value  ${values.toFixed(0)} M values/s  ${gb.toFixed(2)} GB/s`;
}

const old = await importOldMoments();
console.log(`best of ${repeats} passes over 1 Mi-value views (node ${process.version})`);
for (const [name, data] of dataSets()) {
  const parts = views(data);
  // Warm both kernels on a short view first, so that every path of their loops has type feedback
  // before V8 compiles them mid-loop (else a kernel can deoptimise at the end of every call:
  // today's momentsOf does when first run on a long view), then on an odd-length view.
  for (const length of [1001, VIEW + 1]) {
    exactPass([data.subarray(0, length)]);
    oldPass([data.subarray(0, length)], old);
  }
  let bestExact = Infinity;
  let bestOld = Infinity;
  for (let r = 0; r < repeats; r++) {
    bestExact = Math.min(
      bestExact,
      seconds(() => exactPass(parts)),
    );
    bestOld = Math.min(
      bestOld,
      seconds(() => oldPass(parts, old)),
    );
  }
  console.log(`${name} (${data.length / VIEW} Mi values)`);
  console.log(`  ${describeRate('exact', bestExact, data)}`);
  console.log(`  ${describeRate('old  ', bestOld, data)}`);
  console.log(
    `  exact/old time ratio ${(bestExact / bestOld).toFixed(2)} (speed ${(bestOld / bestExact).toFixed(2)}x)`,
  );
}

/** Periodogram-like rows (positive, a scale per lane), summed by lane: exactly and plainly. */
function benchVector(): void {
  const lanes = 2049;
  const random = seeded(7);
  const scale = Float64Array.from({ length: lanes }, () => 10 ** (8 * random() - 4));
  const rows = Array.from({ length: 64 }, () =>
    Float64Array.from({ length: lanes }, (_, k) => -scale[k] * Math.log(1 - random())),
  );
  const adds = 4096;
  let bestExact = Infinity;
  let bestPlain = Infinity;
  for (let r = 0; r < repeats; r++) {
    const vector = new ExactSumVector(lanes);
    bestExact = Math.min(
      bestExact,
      seconds(() => {
        for (let a = 0; a < adds; a++) vector.add(rows[a & 63]);
      }),
    );
    const plain = new Float64Array(lanes);
    bestPlain = Math.min(
      bestPlain,
      seconds(() => {
        for (let a = 0; a < adds; a++) {
          const row = rows[a & 63];
          for (let k = 0; k < lanes; k++) plain[k] += row[k];
        }
      }),
    );
  }
  const perLane = (best: number) => ((best * 1e9) / adds / lanes).toFixed(2);
  console.log(`ExactSumVector, ${lanes} lanes, ${adds} adds`);
  console.log(
    `  exact ${perLane(bestExact)} ns/lane/add  (${((bestExact * 1e6) / adds).toFixed(1)} µs per add)`,
  );
  console.log(
    `  plain ${perLane(bestPlain)} ns/lane/add  (${((bestPlain * 1e6) / adds).toFixed(1)} µs per add)`,
  );
}

benchVector();
