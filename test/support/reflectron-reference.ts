/** The reflectron correction as its specification reads, for tests to compare the kernel with. */
import type { ReflectronMesh } from '../../src/atomprobe/reflectron-mesh.ts';

/** The kernel's tolerance: barycentric weights down to −1e-12 count as inside. */
const TOLERANCE = 1e-12;

/** The specification, plainly: the first triangle holding p, else the nearest vertex's first. */
export function referenceCorrect(
  mesh: ReflectronMesh,
  px: number,
  py: number,
): { x: number; y: number; outside: boolean } {
  const { vx, vy, gx, gy, triangles } = mesh;
  const weights = (t: number) => {
    const [a, b, c] = [triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2]];
    const [v0x, v0y, v1x, v1y] = [vx[b] - vx[a], vy[b] - vy[a], vx[c] - vx[a], vy[c] - vy[a]];
    const [v2x, v2y] = [px - vx[a], py - vy[a]];
    const den = v0x * v1y - v1x * v0y;
    const w1 = (v2x * v1y - v1x * v2y) / den;
    const w2 = (v0x * v2y - v2x * v0y) / den;
    return { a, b, c, w0: 1 - w1 - w2, w1, w2 };
  };
  const nt = triangles.length / 3;
  let chosen = -1;
  for (let t = 0; t < nt && chosen < 0; t++) {
    const { w0, w1, w2 } = weights(t);
    if (w0 >= -TOLERANCE && w1 >= -TOLERANCE && w2 >= -TOLERANCE) chosen = t;
  }
  const outside = chosen < 0;
  if (outside) {
    let [best, bestD] = [-1, Infinity];
    for (let v = 0; v < vx.length; v++) {
      const d = (px - vx[v]) ** 2 + (py - vy[v]) ** 2;
      if (d < bestD && triangles.includes(v)) [best, bestD] = [v, d];
    }
    if (best < 0) return { x: NaN, y: NaN, outside: false };
    chosen = Math.floor(triangles.indexOf(best) / 3);
  }
  const { a, b, c, w0, w1, w2 } = weights(chosen);
  return { x: w0 * gx[a] + w1 * gx[b] + w2 * gx[c], y: w0 * gy[a] + w1 * gy[b] + w2 * gy[c], outside };
}
