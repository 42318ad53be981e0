/**
 * Single-thread cost of the reflectron kernel (`correctPoints`) per point:
 *   tsx bench/reflectron-kernel.ts [millionPoints=27] [--compare <module.ts>]
 * Events as scripts/sample-epos.ts draws them (uniform over a 35 mm disc, float32 mm; the cm
 * columns are those /10 in float32), corrected in batches of 65536 with every shipped preset,
 * scale 10 in/out (PyCCAPT's cm columns) and scale 1 (mm). Each kernel is warmed first, an
 * odd-length batch included. Prints ns/point from CPU time (user + system, which other
 * processes on a shared machine inflate less than wall time) and the ratio to a plain float64
 * multiply-add loop over the same data and outputs, measured in the same run.
 *
 * Build times: the first build of each kernel (for the first preset, in a cold process), then
 * the best of three rebuilds.
 *
 * `--compare` names another module exporting `buildLocator` and `correctPoints`, such as the
 * previous version: `git show HEAD:src/atomprobe/reflectron-mesh.ts > /tmp/old-mesh.mts`
 * with its one relative import made absolute (`.mts`, so that it loads as an ES module as this
 * one does). It is timed the same way, and both kernels' outputs are compared on the first 4 M
 * points of every preset and scale.
 */
import * as current from '../src/atomprobe/reflectron-mesh.ts';
import { listReflectronPresets, loadPresetMesh } from '../src/atomprobe/reflectron-mesh.ts';
import type { ReflectronMesh } from '../src/atomprobe/reflectron-mesh.ts';

type KernelModule = Pick<typeof current, 'buildLocator' | 'correctPoints'>;
type Correct = (
  xs: Float32Array,
  ys: Float32Array,
  outX: Float64Array,
  outY: Float64Array,
  scale: number,
) => number;

const BATCH = 1 << 16;
const args = process.argv.slice(2);
const compareAt = args.indexOf('--compare');
const comparePath = compareAt >= 0 ? args.splice(compareAt, 2)[1] : undefined;
const points = Math.round(Number(args[0] ?? 27) * 1e6);
const scales = [10, 1] as const;

/** The detector hits of scripts/sample-epos.ts (same generator and draws), in mm and in cm. */
function samplePoints(n: number): { mm: [Float32Array, Float32Array]; cm: [Float32Array, Float32Array] } {
  const mm: [Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n)];
  const cm: [Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n)];
  let seed = 987654321;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let i = 0; i < n; i++) {
    const r = 35 * Math.sqrt(random());
    const phi = 2 * Math.PI * random();
    random(); // the mass peak, its spread and the pulse count: kept so the stream matches
    random();
    random();
    mm[0][i] = r * Math.cos(phi);
    mm[1][i] = r * Math.sin(phi);
    cm[0][i] = mm[0][i] / 10;
    cm[1][i] = mm[1][i] / 10;
  }
  return { mm, cm };
}

/** The kernel of `module` bound to a locator of `mesh`. */
function bindKernel(module: KernelModule, mesh: ReflectronMesh): Correct {
  const loc = module.buildLocator(mesh);
  return (xs, ys, outX, outY, scale) => module.correctPoints(loc, xs, ys, outX, outY, scale, scale);
}

/** No point location at all: an affine map per point, the floor any kernel pays for its I/O. */
function multiplyAdd(
  xs: Float32Array,
  ys: Float32Array,
  outX: Float64Array,
  outY: Float64Array,
  scale: number,
): number {
  for (let i = 0; i < outX.length; i++) {
    const px = xs[i] * scale;
    const py = ys[i] * scale;
    outX[i] = (0.98 * px + 0.01 * py + 0.2) / scale;
    outY[i] = (0.01 * px + 0.98 * py - 0.1) / scale;
  }
  return 0;
}

const outX = new Float64Array(BATCH);
const outY = new Float64Array(BATCH);

/** CPU seconds of correcting all `n` points of `xy` batch by batch. */
function timePass(correct: Correct, xy: [Float32Array, Float32Array], n: number, scale: number): number {
  const cpu = process.cpuUsage();
  for (let start = 0; start < n; start += BATCH) {
    const end = Math.min(n, start + BATCH);
    const x = outX.length === end - start ? outX : outX.subarray(0, end - start);
    const y = outY.length === end - start ? outY : outY.subarray(0, end - start);
    correct(xy[0].subarray(start, end), xy[1].subarray(start, end), x, y, scale);
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1e6;
}

/** Warms `correct` on an odd-length batch and a few full ones, in both scales. */
function warm(correct: Correct, data: ReturnType<typeof samplePoints>): void {
  for (const scale of scales) {
    const xy = scale === 10 ? data.cm : data.mm;
    timePass(correct, [xy[0].subarray(0, 12_345), xy[1].subarray(0, 12_345)], 12_345, scale);
    timePass(correct, xy, 8 * BATCH, scale);
  }
}

/** Largest |difference| and count of differing outputs of two kernels on the first `n` points. */
function compare(a: Correct, b: Correct, xy: [Float32Array, Float32Array], n: number, scale: number) {
  const [ax, ay, bx, by] = [0, 1, 2, 3].map(() => new Float64Array(BATCH));
  let worst = 0;
  let differing = 0;
  let outsideA = 0;
  let outsideB = 0;
  for (let start = 0; start < n; start += BATCH) {
    const [x, y] = [xy[0].subarray(start, start + BATCH), xy[1].subarray(start, start + BATCH)];
    outsideA += a(x, y, ax, ay, scale);
    outsideB += b(x, y, bx, by, scale);
    for (let i = 0; i < BATCH; i++) {
      const d = Math.max(Math.abs(ax[i] - bx[i]), Math.abs(ay[i] - by[i]));
      if (!Object.is(ax[i], bx[i]) || !Object.is(ay[i], by[i])) differing++;
      if (d > worst) worst = d;
    }
  }
  return { worst, differing, outsideA, outsideB };
}

const n = Math.ceil(points / BATCH) * BATCH;
const data = samplePoints(n);
const kernels: [string, KernelModule][] = [['current', current]];
if (comparePath) kernels.push([comparePath, (await import(comparePath)) as KernelModule]);
const presets = listReflectronPresets();
console.log(`${n} float32 points in batches of ${BATCH}, ${presets.length} presets`);

warm(multiplyAdd, data);
const floor = Object.fromEntries(
  scales.map((s) => [s, timePass(multiplyAdd, s === 10 ? data.cm : data.mm, n, s)]),
);
for (const s of scales)
  console.log(`multiply-add baseline, scale ${s}: ${((floor[s] / n) * 1e9).toFixed(2)} ns/point`);

const perKernel: Record<string, number[]> = {};
for (const preset of presets) {
  const mesh = loadPresetMesh(preset);
  const bound = kernels.map(([label, module]) => {
    const t0 = performance.now();
    const correct = bindKernel(module, mesh);
    const first = performance.now() - t0;
    const rebuilds = [0, 1, 2].map(() => {
      const t1 = performance.now();
      module.buildLocator(mesh);
      return performance.now() - t1;
    });
    return { label, correct, build: `${first.toFixed(1)}/${Math.min(...rebuilds).toFixed(1)}` };
  });
  for (const { label, correct, build } of bound) {
    warm(correct, data);
    const cells = scales.map((s) => {
      const seconds = timePass(correct, s === 10 ? data.cm : data.mm, n, s);
      (perKernel[label] ??= []).push(seconds / n);
      return `scale ${s}: ${((seconds / n) * 1e9).toFixed(2)} ns/point (${(seconds / floor[s]).toFixed(1)}× baseline)`;
    });
    console.log(
      `${preset.padEnd(26)} ${label.padEnd(18)} build ${build.padStart(11)} ms  ${cells.join('  ')}`,
    );
  }
  if (bound.length === 2) {
    for (const s of scales) {
      const c = compare(
        bound[0].correct,
        bound[1].correct,
        s === 10 ? data.cm : data.mm,
        Math.min(n, 64 * BATCH),
        s,
      );
      console.log(
        `${''.padEnd(26)} vs compared, scale ${s}: max |diff| ${c.worst.toExponential(2)}, ` +
          `${c.differing} differing outputs, outside ${c.outsideA} / ${c.outsideB}`,
      );
    }
  }
}
for (const [label, times] of Object.entries(perKernel)) {
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`mean ${label}: ${(mean * 1e9).toFixed(2)} ns/point`);
}
if (kernels.length === 2) {
  const [a, b] = kernels.map(([label]) => perKernel[label].reduce((x, y) => x + y, 0));
  console.log(`ratio compared/current time: ${(b / a).toFixed(2)}×`);
}
