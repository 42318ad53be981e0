/**
 * The point locator of the reflectron mesh correction (reflectron-mesh.ts holds the mesh and the
 * kernel): two uniform grids over the triangles' bounding box, widened by a margin.
 *
 * The coarse grid lists per cell the vertices that can be the nearest vertex of one of its points
 * (`nearestVertex` reads them). The fine grid, SUB × SUB cells per coarse cell, gives the kernel
 * one code per cell: the cell's triangle when it lies in one (and can hold no point of a
 * lower-index one) or outside every triangle in one vertex's Voronoi region, else a record that
 * one test or a short search resolves. A coarse cell is described from all triangles and
 * vertices, then split in quarters, each described from its parent's lists, until resolved.
 *
 * Every rectangle is classified widened by WIDEN of a fine cell, so a point whose cell index
 * rounds into a neighbour is covered too, and with margins far above rounding error: the kernel
 * picks exactly the triangle that a scan of the mesh in index order would.
 */
import { SluiceError } from '../core/errors.ts';
import type { MeshLocator, ReflectronMesh } from './reflectron-types.ts';
import { INSIDE_TOLERANCE, LIST, T_STRIDE, TRIANGLE_PAIR, VERTEX_PAIR } from './reflectron-types.ts';

/** Relative |den| below which a triangle is degenerate (numpy.isclose's atol is 1e-8). */
const DEGENERATE_DEN = 1e-8;
/** Coarse cells per side per √triangles. */
const CELLS_PER_ROOT = 2;
/**
 * Fine cells per coarse cell and side (a power of two, for the quarters): cells a tenth of a
 * triangle's side, so most lie in one triangle or Voronoi region; 296² (350 KB) for the presets.
 */
const SUB = 8;
/** The grids reach this fraction of the mesh's span beyond it (off the grid: a vertex scan). */
const MARGIN = 0.5;
/** How far (in fine cells) a rectangle is widened on each side before it is classified. */
const WIDEN = 0.01;
/** Weight margin, far above rounding error, for "inside everywhere" and "outside everywhere". */
const WEIGHT_MARGIN = 1e-9;
/** Margin (mm²), far above rounding error, for "this vertex is nearer than that one". */
const DISTANCE2_MARGIN = 1e-9;

/** The coarse grid. */
interface Grid {
  x0: number;
  y0: number;
  cellW: number;
  cellH: number;
  nx: number;
  ny: number;
}

/** A rectangle (some fine cells', widened). */
interface Rect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Of a rectangle: the triangles that can hold one of its points, the vertices that can be nearest. */
interface RectLists {
  tris: number[];
  /** Whether each point is in one of `tris` (then `verts` is empty: no point is outside the mesh). */
  covered: boolean;
  verts: number[];
}

/** What describing and coding the fine cells needs. */
interface Filler {
  tri: Float64Array;
  mesh: ReflectronMesh;
  grid: Grid;
  table: CodeTable;
  cellCode: Int32Array;
}

export function buildLocator(mesh: ReflectronMesh): MeshLocator {
  const tri = packTriangles(mesh);
  const grid = gridOver(mesh);
  const { nx, ny } = grid;
  const firstTriangle = new Int32Array(mesh.vx.length).fill(-1);
  // MATLAB's find(..., 1): the first triangle using each vertex; unused vertices are no fallback.
  mesh.triangles.forEach((v, i) => firstTriangle[v] < 0 && (firstTriangle[v] = Math.floor(i / 3)));
  const used: number[] = [];
  firstTriangle.forEach((t, v) => t >= 0 && used.push(v));
  const triLists = bucketTriangles(tri, grid);
  const vertLists: number[][] = [];
  const [table, cellCode] = [new CodeTable(firstTriangle), new Int32Array(nx * ny * SUB ** 2)];
  const fill = { tri, mesh, grid, table, cellCode };
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = 0; cx < nx; cx++) {
      const rect = fineRect(grid, cx * SUB, cy * SUB, SUB);
      vertLists.push(boundVertices(mesh, used, rect));
      const all = { tris: triLists[cy * nx + cx], covered: false, verts: vertLists[vertLists.length - 1] };
      fillBlock(fill, describeRect(fill, all, rect), cx * SUB, cy * SUB, SUB);
    }
  }
  const [vertStart, vertCells] = toCsr(vertLists);
  const fine = { fineNx: nx * SUB, fineNy: ny * SUB, fineInvW: SUB / grid.cellW, fineInvH: SUB / grid.cellH };
  const records = Int32Array.from(table.records);
  return { mesh, tri, ...grid, vertStart, vertCells, firstTriangle, ...fine, cellCode, records };
}

/**
 * Codes for the size × size fine cells from (fx0, fy0), whose rectangle has `lists`: one code
 * for all when the lists resolve, else by quarters described from these lists (which hold all
 * that the quarters can need), down to single cells.
 */
function fillBlock(f: Filler, lists: RectLists, fx0: number, fy0: number, size: number): void {
  const resolved = f.table.resolved(lists);
  if (resolved !== undefined || size === 1) {
    const code = resolved ?? f.table.code(lists);
    const row = f.grid.nx * SUB;
    for (let fy = fy0; fy < fy0 + size; fy++) f.cellCode.fill(code, fy * row + fx0, fy * row + fx0 + size);
    return;
  }
  const half = size / 2;
  for (let q = 0; q < 4; q++) {
    const qx = fx0 + (q & 1) * half;
    const qy = fy0 + (q >> 1) * half;
    const quarter = fineRect(f.grid, qx, qy, half);
    fillBlock(f, describeRect(f, lists, quarter), qx, qy, half);
  }
}

/** The codes of rectangles, and the records of unresolved ones (one copy of equal records). */
class CodeTable {
  readonly records: number[] = [LIST]; // no record starts at 0: code -1 (~0) is "off the grid"
  private readonly starts = new Map<string, number>();
  constructor(private readonly firstTriangle: Int32Array) {}

  /** One triangle for every point, inside or outside the mesh; undefined if there is none. */
  resolved({ tris, covered, verts }: RectLists): number | undefined {
    if (covered && tris.length === 1) return this.inside(tris[0]);
    if (tris.length === 0 && verts.length === 1) return this.outside(verts[0]);
    return undefined;
  }

  /** The code of a rectangle with these lists: resolved when it can be, else its record's. */
  code(lists: RectLists): number {
    const resolved = this.resolved(lists);
    if (resolved !== undefined) return resolved;
    const record = this.recordOf(lists);
    const key = record.join();
    let start = this.starts.get(key);
    if (start === undefined) {
      start = this.records.length;
      for (let i = 0; i < record.length; i++) this.records.push(record[i]);
      this.starts.set(key, start);
    }
    return ~start;
  }

  /** A pair when one test decides between two codes, else a list. */
  private recordOf({ tris, covered, verts }: RectLists): number[] {
    const a = tris[0];
    if (tris.length === 0 && verts.length === 2) {
      return [VERTEX_PAIR, 0, verts[0], verts[1], this.outside(verts[0]), this.outside(verts[1])];
    }
    // A point missing triangle a is outside the mesh, nearest to the one vertex listed.
    if (tris.length === 1 && verts.length === 1) {
      return [TRIANGLE_PAIR, a * T_STRIDE, 0, 0, this.inside(a), this.outside(verts[0])];
    }
    if (tris.length === 2 && covered) {
      return [TRIANGLE_PAIR, a * T_STRIDE, 0, 0, this.inside(a), this.inside(tris[1])];
    }
    return [LIST, ...tris.map((t) => t * T_STRIDE), -1, ...verts, -1];
  }

  private inside = (t: number) => t * T_STRIDE * 2;
  private outside = (v: number) => this.firstTriangle[v] * T_STRIDE * 2 + 1;
}

/** The per-triangle constants of the kernel; throws on a degenerate triangle. */
function packTriangles(mesh: ReflectronMesh): Float64Array {
  const { vx, vy, gx, gy, triangles } = mesh;
  const tri = new Float64Array((triangles.length / 3) * T_STRIDE);
  for (let t = 0; t < triangles.length / 3; t++) {
    const [a, b, c] = [triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2]];
    const [v0x, v0y, v1x, v1y] = [vx[b] - vx[a], vy[b] - vy[a], vx[c] - vx[a], vy[c] - vy[a]];
    const den = v0x * v1y - v1x * v0y;
    const scale = Math.max(Math.abs(v0x * v1y), Math.abs(v1x * v0y), 1);
    if (!(Math.abs(den) > DEGENERATE_DEN * scale)) {
      const hint = 'Its three vertices are collinear; fix the triangles file.';
      throw new SluiceError(
        'FORMAT_INVALID',
        `reflectron: triangle ${t + 1} of mesh '${mesh.name}' is degenerate`,
        { hint },
      );
    }
    const values = [vx[a], vy[a], v0x, v0y, v1x, v1y, den, gx[a], gy[a], gx[b], gy[b], gx[c], gy[c], 1 / den];
    tri.set(values, t * T_STRIDE);
  }
  return tri;
}

/** The coarse grid over the triangles' bounding box and the margin. */
function gridOver(mesh: ReflectronMesh): Grid {
  const xs = Array.from(mesh.triangles, (v) => mesh.vx[v]);
  const ys = Array.from(mesh.triangles, (v) => mesh.vy[v]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const margin = MARGIN * Math.max(maxX - minX, maxY - minY);
  const side = Math.max(4, Math.ceil(CELLS_PER_ROOT * Math.sqrt(mesh.triangles.length / 3)));
  const [cellW, cellH] = [(maxX - minX + 2 * margin) / side, (maxY - minY + 2 * margin) / side];
  return { x0: minX - margin, y0: minY - margin, cellW, cellH, nx: side, ny: side };
}

/**
 * Per coarse cell, the triangles whose bounding box meets it or a neighbour, ascending (a point
 * on a cell's border may compute into either cell); describeRect drops those that miss the cell.
 */
function bucketTriangles(tri: Float64Array, grid: Grid): number[][] {
  const { x0, y0, cellW, cellH, nx, ny } = grid;
  const lists: number[][] = Array.from({ length: nx * ny }, () => []);
  for (let t = 0, o = 0; o < tri.length; t++, o += T_STRIDE) {
    const column = (x: number) => Math.floor((tri[o] + x - x0) / cellW);
    const row = (y: number) => Math.floor((tri[o + 1] + y - y0) / cellH);
    const [cx0, cx1] = [
      column(Math.min(0, tri[o + 2], tri[o + 4])),
      column(Math.max(0, tri[o + 2], tri[o + 4])),
    ];
    const [cy0, cy1] = [row(Math.min(0, tri[o + 3], tri[o + 5])), row(Math.max(0, tri[o + 3], tri[o + 5]))];
    for (let cy = Math.max(0, cy0 - 1); cy <= Math.min(ny - 1, cy1 + 1); cy++) {
      for (let cx = Math.max(0, cx0 - 1); cx <= Math.min(nx - 1, cx1 + 1); cx++) lists[cy * nx + cx].push(t);
    }
  }
  return lists;
}

const SEPARATE = 0;
const PARTIAL = 1;
const CONTAINS = 2;

/**
 * The lists of `r` from those of a rectangle holding it: of its triangles (ascending), those
 * that can hold a point of `r`, cut after the first that holds all of them (later ones never win
 * there); of its vertices, those that can be nearest, unless the triangles kept cover `r`.
 */
function describeRect(f: Filler, holder: RectLists, r: Rect): RectLists {
  const tris: number[] = [];
  const last = holder.tris.length - 1;
  for (let i = 0; i <= last; i++) {
    // Triangles covering the holder cover `r` without those missing it: when all others miss,
    // the last holds all of `r` and needs no test.
    const covering = holder.covered && i === last && tris.length === 0;
    const status = covering ? CONTAINS : classifyTriangle(f.tri, holder.tris[i] * T_STRIDE, r);
    if (status === SEPARATE) continue;
    tris.push(holder.tris[i]);
    if (status === CONTAINS) return { tris, covered: true, verts: [] };
  }
  if (holder.covered || (tris.length === 2 && coversRest(f.tri, tris[0] * T_STRIDE, tris[1] * T_STRIDE, r))) {
    return { tris, covered: true, verts: [] };
  }
  return { tris, covered: false, verts: nearVertices(f.mesh, holder.verts, r) };
}

/**
 * Whether the triangle at tri[o] holds every point of `r` (all weights ≥ WEIGHT_MARGIN at the
 * four corners, hence everywhere: weights are linear), none (its bounding box misses `r`, or one
 * weight is below −INSIDE_TOLERANCE − WEIGHT_MARGIN at all four corners), or maybe some.
 */
function classifyTriangle(tri: Float64Array, o: number, r: Rect): number {
  const ax = tri[o];
  const ay = tri[o + 1];
  if (
    r.x1 < ax + Math.min(0, tri[o + 2], tri[o + 4]) ||
    r.x0 > ax + Math.max(0, tri[o + 2], tri[o + 4]) ||
    r.y1 < ay + Math.min(0, tri[o + 3], tri[o + 5]) ||
    r.y0 > ay + Math.max(0, tri[o + 3], tri[o + 5])
  ) {
    return SEPARATE;
  }
  let inside = true;
  let below = 0b111; // bit k: weight k below −INSIDE_TOLERANCE − WEIGHT_MARGIN at every corner yet
  for (let c = 0; c < 4; c++) {
    weightsInto(cornerWeights, 0, tri, o, c & 1 ? r.x1 : r.x0, c & 2 ? r.y1 : r.y0);
    for (let k = 0; k < 3; k++) {
      inside &&= cornerWeights[k] >= WEIGHT_MARGIN;
      if (!(cornerWeights[k] < -INSIDE_TOLERANCE - WEIGHT_MARGIN)) below &= ~(1 << k);
    }
  }
  return below ? SEPARATE : inside ? CONTAINS : PARTIAL;
}

/**
 * Whether every point of `r` that the triangle at tri[oa] may miss (where one of its weights is
 * ≤ 0) is in the triangle at tri[ob], all of whose weights are then ≥ −INSIDE_TOLERANCE/2: the
 * polygons cut from `r` by each weight ≤ 0 are convex, so checking their corners suffices.
 */
function coversRest(tri: Float64Array, oa: number, ob: number, r: Rect): boolean {
  const xs = [r.x0, r.x1, r.x1, r.x0]; // counterclockwise: corners c and c + 1 share a side
  const ys = [r.y0, r.y0, r.y1, r.y1];
  for (let c = 0; c < 4; c++) weightsInto(cornerWeights, 3 * c, tri, oa, xs[c], ys[c]);
  for (let k = 0; k < 3; k++) {
    for (let c = 0, n = 1; c < 4; c++, n = (c + 1) % 4) {
      const w = cornerWeights[3 * c + k];
      const wn = cornerWeights[3 * n + k];
      const t = w / (w - wn); // where the weight, linear along the side, crosses 0
      if (w <= 0 && !nearlyHolds(tri, ob, xs[c], ys[c])) return false;
      const crosses = w <= 0 !== wn <= 0;
      if (crosses && !nearlyHolds(tri, ob, xs[c] + t * (xs[n] - xs[c]), ys[c] + t * (ys[n] - ys[c])))
        return false;
    }
  }
  return true;
}

/** Scratch for weightsInto's callers: weights w0, w1, w2 of up to four points. */
const cornerWeights = new Float64Array(12);
const pointWeights = new Float64Array(3);

/** Whether all weights of (x, y) in the triangle at tri[o] are ≥ −INSIDE_TOLERANCE/2. */
function nearlyHolds(tri: Float64Array, o: number, x: number, y: number): boolean {
  weightsInto(pointWeights, 0, tri, o, x, y);
  return Math.min(pointWeights[0], pointWeights[1], pointWeights[2]) >= -INSIDE_TOLERANCE / 2;
}

/** Writes the weights w0, w1, w2 of (x, y) in the triangle at tri[o], as the kernel computes them. */
function weightsInto(
  out: Float64Array,
  at: number,
  tri: Float64Array,
  o: number,
  x: number,
  y: number,
): void {
  const v2x = x - tri[o];
  const v2y = y - tri[o + 1];
  const w1 = (v2x * tri[o + 5] - tri[o + 4] * v2y) * tri[o + 13];
  const w2 = (tri[o + 2] * v2y - v2x * tri[o + 3]) * tri[o + 13];
  out[at] = 1 - w1 - w2;
  out[at + 1] = w1;
  out[at + 2] = w2;
}

/**
 * The vertices of `ids` whose distance to `r` is at most the smallest farthest-distance to `r` of
 * any of them, ascending as given: all that can be nearest to a point of `r`.
 */
function boundVertices(mesh: ReflectronMesh, ids: readonly number[], r: Rect): number[] {
  const { vx, vy } = mesh;
  let bound = Infinity;
  for (let i = 0; i < ids.length; i++) {
    const fx = Math.max(Math.abs(vx[ids[i]] - r.x0), Math.abs(vx[ids[i]] - r.x1));
    const fy = Math.max(Math.abs(vy[ids[i]] - r.y0), Math.abs(vy[ids[i]] - r.y1));
    bound = Math.min(bound, fx * fx + fy * fy);
  }
  const near: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const dx = Math.max(r.x0 - vx[ids[i]], 0, vx[ids[i]] - r.x1);
    const dy = Math.max(r.y0 - vy[ids[i]], 0, vy[ids[i]] - r.y1);
    if (dx * dx + dy * dy <= bound) near.push(ids[i]);
  }
  return near;
}

/** Scratch for nearVertices: squared distances of each vertex to each corner. */
let d2 = new Float64Array(64);

/**
 * `boundVertices` of `ids`, less each vertex that another is nearer to at all four corners of
 * `r` by a margin (squared distances differ linearly, so that one is nearer all over `r`). When
 * `ids` holds the nearest vertex of every point of `r`, so does the result.
 */
function nearVertices(mesh: ReflectronMesh, ids: readonly number[], r: Rect): number[] {
  const near = ids.length < 2 ? ids.slice() : boundVertices(mesh, ids, r);
  if (near.length < 2) return near;
  if (d2.length < 4 * near.length) d2 = new Float64Array(8 * near.length);
  for (let i = 0; i < 4 * near.length; i++) {
    const dx = (i & 1 ? r.x1 : r.x0) - mesh.vx[near[i >> 2]];
    const dy = (i & 2 ? r.y1 : r.y0) - mesh.vy[near[i >> 2]];
    d2[i] = dx * dx + dy * dy;
  }
  const kept: number[] = [];
  for (let i = 0; i < near.length; i++) {
    let beaten = false;
    for (let j = 0; j < near.length && !beaten; j++) {
      beaten = j !== i;
      for (let c = 0; c < 4 && beaten; c++) beaten = d2[4 * j + c] < d2[4 * i + c] - DISTANCE2_MARGIN;
    }
    if (!beaten) kept.push(near[i]);
  }
  return kept;
}

/** The size × size fine cells from (fx, fy), widened by WIDEN of a fine cell each way. */
function fineRect(grid: Grid, fx: number, fy: number, size: number): Rect {
  const w = grid.cellW / SUB;
  const h = grid.cellH / SUB;
  const x0 = grid.x0 + (fx - WIDEN) * w;
  const y0 = grid.y0 + (fy - WIDEN) * h;
  return { x0, x1: grid.x0 + (fx + size + WIDEN) * w, y0, y1: grid.y0 + (fy + size + WIDEN) * h };
}

function toCsr(lists: number[][]): [Int32Array, Int32Array] {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (start[i + 1] = start[i] + l.length));
  const cells = new Int32Array(start[lists.length]);
  lists.forEach((l, i) => cells.set(l, start[i]));
  return [start, cells];
}
