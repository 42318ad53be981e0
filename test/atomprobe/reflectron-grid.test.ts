import { describe, expect, it } from 'vitest';
import type { MeshLocator, ReflectronMesh } from '../../src/atomprobe/reflectron-mesh.ts';
import { referenceCorrect } from '../support/reflectron-reference.ts';
import {
  buildLocator,
  correctPoints,
  listReflectronPresets,
  loadPresetMesh,
} from '../../src/atomprobe/reflectron-mesh.ts';

/** Random points over the mesh and well beyond it (off the locator's grid too). */
function randomPoints(n: number, seed: number): [number[], number[]] {
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  const xs = Array.from({ length: n }, () => (random() - 0.5) * 140);
  return [xs, Array.from({ length: n }, () => (random() - 0.5) * 140)];
}

/**
 * Every vertex, the midpoint of every triangle's edges, points just either side of each edge
 * (where a cell's classification margins matter), and points off each edge's midpoint along its
 * perpendicular bisector, equidistant from its ends (ties between nearest vertices).
 */
function meshPoints(mesh: ReflectronMesh): [number[], number[]] {
  const { vx, vy, triangles } = mesh;
  const [xs, ys] = [Array.from(vx), Array.from(vy)];
  for (let i = 0; i < triangles.length; i++) {
    const [a, b] = [triangles[i], triangles[i % 3 === 2 ? i - 2 : i + 1]];
    const [mx, my] = [(vx[a] + vx[b]) / 2, (vy[a] + vy[b]) / 2];
    const [nx, ny] = [vy[a] - vy[b], vx[b] - vx[a]]; // the edge turned a quarter: its normal
    for (const s of [0, 1e-9, -1e-9, 1e-6, -1e-6, 1e-3, -1e-3, 0.5, -0.5, 2, -2]) {
      xs.push(mx + s * nx);
      ys.push(my + s * ny);
    }
  }
  return [xs, ys];
}

/** Points along the edges of the mesh's boundary, just inside and just outside it. */
function boundaryPoints(mesh: ReflectronMesh): [number[], number[]] {
  const { vx, vy, triangles } = mesh;
  const edges = new Map<string, number>();
  for (let i = 0; i < triangles.length; i++) {
    const [a, b] = [triangles[i], triangles[i % 3 === 2 ? i - 2 : i + 1]];
    const key = `${Math.min(a, b)},${Math.max(a, b)}`;
    edges.set(key, (edges.get(key) ?? 0) + 1);
  }
  const [xs, ys]: [number[], number[]] = [[], []];
  for (const [key, count] of edges) {
    if (count !== 1) continue;
    const [a, b] = key.split(',').map(Number);
    for (let k = 1; k < 64; k++) {
      for (const s of [1e-7, -1e-7]) {
        xs.push(vx[a] + (k / 64) * (vx[b] - vx[a]) + s * (vy[a] - vy[b]));
        ys.push(vy[a] + (k / 64) * (vy[b] - vy[a]) + s * (vx[b] - vx[a]));
      }
    }
  }
  return [xs, ys];
}

/** Corners of the fine cells (every `step`-th one each way), where cell indices round either way. */
function cornerPoints(loc: MeshLocator, step: number): [number[], number[]] {
  const [xs, ys]: [number[], number[]] = [[], []];
  for (let j = 0; j <= loc.fineNy; j += step) {
    for (let i = 0; i <= loc.fineNx; i += step) {
      xs.push(loc.x0 + i / loc.fineInvW);
      ys.push(loc.y0 + j / loc.fineInvH);
    }
  }
  return [xs, ys];
}

/** The largest difference from the reference, and both counts of points outside the mesh. */
function compare(
  mesh: ReflectronMesh,
  loc: MeshLocator,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  scale: number,
) {
  const [ox, oy] = [new Float64Array(xs.length), new Float64Array(xs.length)];
  const outside = correctPoints(loc, xs, ys, ox, oy, scale, scale);
  let [worst, expectedOutside, nanMismatches] = [0, 0, 0];
  for (let i = 0; i < xs.length; i++) {
    const want = referenceCorrect(mesh, xs[i] * scale, ys[i] * scale);
    if (want.outside) expectedOutside++;
    if (Number.isNaN(want.x) !== Number.isNaN(ox[i]) || Number.isNaN(want.y) !== Number.isNaN(oy[i]))
      nanMismatches++;
    else if (!Number.isNaN(want.x)) {
      worst = Math.max(worst, Math.abs(ox[i] - want.x / scale), Math.abs(oy[i] - want.y / scale));
    }
  }
  return { worst, outside, expectedOutside, nanMismatches };
}

describe.each(listReflectronPresets())('the reflectron grid locator (%s)', (name) => {
  const mesh = loadPresetMesh(name);
  const loc = buildLocator(mesh);

  it('equals a scan of the mesh on random points over and beyond it', () => {
    const [xs, ys] = randomPoints(20_000, name.length * 7919);
    const result = compare(mesh, loc, xs, ys, 1);
    expect(result.nanMismatches).toBe(0);
    expect(result.worst).toBeLessThanOrEqual(1e-9);
    expect(result.outside).toBe(result.expectedOutside);
    expect(result.outside).toBeGreaterThan(5_000); // some far off the grid, where vertices are scanned
    expect(result.outside).toBeLessThan(20_000);
  });

  it('equals a scan on vertices and edge midpoints, where triangles meet', () => {
    const [xs, ys] = meshPoints(mesh);
    const result = compare(mesh, loc, xs, ys, 1);
    expect(result.nanMismatches).toBe(0);
    expect(result.worst).toBeLessThanOrEqual(1e-9);
    expect(result.outside).toBe(result.expectedOutside);
  });

  it('equals a scan just inside and just outside the boundary of the mesh', () => {
    const [xs, ys] = boundaryPoints(mesh);
    const result = compare(mesh, loc, xs, ys, 1);
    expect(result.nanMismatches).toBe(0);
    expect(result.worst).toBeLessThanOrEqual(1e-9);
    expect(result.outside).toBe(result.expectedOutside);
    expect(result.outside * 2).toBe(xs.length); // half of them, whichever way the boundary turns
  });

  it('equals a scan on the corners of the fine cells', () => {
    const [xs, ys] = cornerPoints(loc, 3);
    const result = compare(mesh, loc, xs, ys, 1);
    expect(xs.length).toBeGreaterThan(5_000);
    expect(result.nanMismatches).toBe(0);
    expect(result.worst).toBeLessThanOrEqual(1e-9);
    expect(result.outside).toBe(result.expectedOutside);
  });

  it('equals a scan on float32 cm values (scale 10)', () => {
    const [xs, ys] = randomPoints(5_000, 4242);
    const cm = [Float32Array.from(xs, (v) => v / 10), Float32Array.from(ys, (v) => v / 10)];
    const result = compare(mesh, loc, cm[0], cm[1], 10);
    expect(result.nanMismatches).toBe(0);
    expect(result.worst).toBeLessThanOrEqual(1e-9);
    expect(result.outside).toBe(result.expectedOutside);
  });

  it('gives NaN for NaN and infinite coordinates, not counted as outside', () => {
    const bad = [NaN, Infinity, -Infinity, 1];
    const xs = Float64Array.from(bad.flatMap((x) => bad.map(() => x)));
    const ys = Float64Array.from(bad.flatMap(() => bad));
    const [ox, oy] = [new Float64Array(xs.length), new Float64Array(xs.length)];
    const outside = correctPoints(loc, xs, ys, ox, oy, 1, 1);
    expect(outside).toBe(0); // (1, 1) is inside every preset's mesh
    ox.forEach((v, i) =>
      expect([Number.isNaN(v), Number.isNaN(oy[i])]).toEqual(i === 15 ? [false, false] : [true, true]),
    );
    expect(correctPoints(loc, xs.subarray(0, 0), ys, ox.subarray(0, 0), oy.subarray(0, 0), 1, 1)).toBe(0);
  });
});
