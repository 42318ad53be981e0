/**
 * PyCCAPT's reflectron mesh correction (the FAU MATLAB toolbox's affine mesh remapping):
 * loading a mesh (a preset shipped in `presets/reflectron/` or a custom pair of CSV files),
 * and the per-event kernel over the point locator that reflectron-grid.ts builds.
 *
 * Per event p = (det_x, det_y) in mm, the triangulation's vertices are (detectorY, detectorX)
 * (the swap is PyCCAPT's). In the triangle (a, b, c) containing p, with v0 = b − a, v1 = c − a,
 * v2 = p − a and den = v0x·v1y − v1x·v0y: w1 = (v2x·v1y − v1x·v2y)/den,
 * w2 = (v0x·v2y − v2x·v0y)/den, w0 = 1 − w1 − w2, and the corrected point is
 * Σ wk·(gridX_k, gridY_k). Outside the mesh: the nearest vertex (lowest index on a tie), then
 * the lowest-index triangle holding that vertex, extrapolating with the same formula.
 *
 * Point location: a fine uniform grid whose cells mostly name the point's triangle outright
 * (the cell lies in one triangle, or outside the mesh in one vertex's Voronoi region); most
 * others name two triangles or vertices that one test decides between, a few list candidates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../core/errors.ts';
import type { MeshLocator, ReflectronMesh } from './reflectron-types.ts';
import { INSIDE_TOLERANCE, LIST, T_STRIDE } from './reflectron-types.ts';

export type { MeshLocator, ReflectronMesh } from './reflectron-types.ts';

export { buildLocator } from './reflectron-grid.ts';

/** Where the shipped presets live, relative to this module (works from a package install). */
export const PRESET_DIR = fileURLToPath(new URL('../../presets/reflectron/', import.meta.url));

const INTERSECTIONS_SUFFIX = '_intersections.csv';
const TRIANGLES_SUFFIX = '_triangles.csv';

/** The preset names shipped with sluice (file name stems, as the files spell them), sorted. */
export function listReflectronPresets(): string[] {
  return readdirSync(PRESET_DIR)
    .filter((f) => f.endsWith(INTERSECTIONS_SUFFIX))
    .map((f) => f.slice(0, -INTERSECTIONS_SUFFIX.length))
    .sort();
}

/** The shipped preset whose name equals `name` ignoring case; undefined when none. */
export function findReflectronPreset(name: string): string | undefined {
  const wanted = name.trim().toLowerCase();
  return listReflectronPresets().find((p) => p.toLowerCase() === wanted);
}

export function loadPresetMesh(name: string): ReflectronMesh {
  const preset = findReflectronPreset(name);
  if (!preset) {
    throw new SluiceError('PARAMS_INVALID', `reflectron: no preset '${name}'`, {
      hint: `Presets (case-insensitive): ${listReflectronPresets().join(', ')}; or give mesh: { intersections, triangles }.`,
    });
  }
  return loadMesh(
    `${PRESET_DIR}${preset}${INTERSECTIONS_SUFFIX}`,
    `${PRESET_DIR}${preset}${TRIANGLES_SUFFIX}`,
    preset,
  );
}

/** Reads a mesh from its two CSV files. */
export function loadMesh(
  intersectionsPath: string,
  trianglesPath: string,
  name = intersectionsPath,
): ReflectronMesh {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new SluiceError('INPUT_MISSING', `reflectron: cannot read mesh file ${path}`, {
        path,
        cause: error,
        hint: 'mesh.intersections and mesh.triangles name CSV files as PyCCAPT exports them.',
      });
    }
  };
  return parseMesh(read(intersectionsPath), read(trianglesPath), name, [intersectionsPath, trianglesPath]);
}

/**
 * A mesh from the text of `<NAME>_intersections.csv` (a header naming detectorX, detectorY,
 * gridX, gridY among others) and `<NAME>_triangles.csv` (no header, 1-based vertex indices).
 */
export function parseMesh(
  intersectionsText: string,
  trianglesText: string,
  name: string,
  paths: readonly [string, string] = [name, name],
): ReflectronMesh {
  const lines = dataLines(intersectionsText);
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const index = (column: string) => {
    const i = header.indexOf(column);
    if (i < 0) {
      throw new SluiceError('FORMAT_INVALID', `reflectron: intersections file has no '${column}' column`, {
        path: paths[0],
        hint: `Expected a header with detectorX, detectorY, gridX, gridY; found: ${header.join(', ')}.`,
      });
    }
    return i;
  };
  const [ix, iy, igx, igy] = ['detectorX', 'detectorY', 'gridX', 'gridY'].map(index);
  const n = lines.length;
  const mesh = {
    name,
    vx: new Float64Array(n),
    vy: new Float64Array(n),
    gx: new Float64Array(n),
    gy: new Float64Array(n),
  };
  lines.forEach((line, row) => {
    const cells = line.split(',');
    const value = (i: number) => {
      const v = Number(cells[i]);
      if (cells[i] === undefined || cells[i].trim() === '' || !Number.isFinite(v)) {
        throw new SluiceError(
          'FORMAT_INVALID',
          `reflectron: bad number '${cells[i] ?? ''}' in row ${row + 1}`,
          {
            path: paths[0],
            hint: 'Every vertex needs finite detectorX, detectorY, gridX and gridY.',
          },
        );
      }
      return v;
    };
    mesh.vx[row] = value(iy); // PyCCAPT's swap: the triangulation's x is detectorY
    mesh.vy[row] = value(ix);
    mesh.gx[row] = value(igx);
    mesh.gy[row] = value(igy);
  });
  const rows = dataLines(trianglesText);
  const triangles = new Int32Array(rows.length * 3);
  rows.forEach((line, t) => {
    const cells = line.split(',');
    for (let k = 0; k < 3; k++) {
      const v = Number(cells[k]);
      if (cells.length !== 3 || !Number.isInteger(v) || v < 1 || v > n) {
        throw new SluiceError('FORMAT_INVALID', `reflectron: bad triangle '${line}' in row ${t + 1}`, {
          path: paths[1],
          hint: `Each row holds three 1-based vertex indices in 1..${n}.`,
        });
      }
      triangles[3 * t + k] = v - 1;
    }
  });
  if (n < 3 || rows.length === 0) {
    throw new SluiceError('FORMAT_INVALID', `reflectron: mesh '${name}' has no triangles`, {
      path: paths[1],
    });
  }
  return { ...mesh, triangles };
}

function dataLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

// --- the kernel --------------------------------------------------------------------------------

/** Points per pass of the kernel, so that its scratch arrays stay in the L1 cache. */
const CHUNK = 1024;
/** Per point of the chunk: its coordinates in mm, and its cell's code, then its triangle's. */
const chunkX = new Float64Array(CHUNK);
const chunkY = new Float64Array(CHUNK);
const chunkCodes = new Int32Array(CHUNK);
/** Chunk offsets of the points whose cell does not name their triangle. */
const pending = new Int32Array(CHUNK);

/**
 * Corrects n points: (xs[i]·scaleIn, ys[i]·scaleIn) in mm → (outX[i], outY[i]) = corrected / scaleOut.
 * Returns how many points lay outside the mesh (extrapolated). NaN inputs give NaN outputs.
 *
 * Three passes per chunk, each a short loop the CPU overlaps well (a single loop is held up by
 * its dependent loads and branches): the cell codes; the few points whose cell has a record;
 * then the formula.
 */
export function correctPoints(
  loc: MeshLocator,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  outX: Float64Array,
  outY: Float64Array,
  scaleIn: number,
  scaleOut: number,
): number {
  let outside = 0;
  for (let start = 0; start < outX.length; start += CHUNK) {
    const n = Math.min(CHUNK, outX.length - start);
    const searches = lookUpCells(loc, xs, ys, start, n, scaleIn);
    searchPending(loc, searches);
    outside += interpolate(
      loc.tri,
      outX.subarray(start, start + n),
      outY.subarray(start, start + n),
      scaleOut,
    );
  }
  return outside;
}

/** Fills the chunk's arrays for points [start, start + n), and pending; how many are pending. */
function lookUpCells(
  loc: MeshLocator,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  start: number,
  n: number,
  scaleIn: number,
): number {
  const { x0, y0, fineInvW, fineInvH, fineNx, fineNy, cellCode } = loc;
  let searches = 0;
  for (let j = 0; j < n; j++) {
    const px = xs[start + j] * scaleIn;
    const py = ys[start + j] * scaleIn;
    const fx = (px - x0) * fineInvW;
    const fy = (py - y0) * fineInvH;
    // Off the grid is -1; the comparisons are false for NaN, so NaN is off the grid too.
    const inGrid = fx >= 0 && fx < fineNx && fy >= 0 && fy < fineNy;
    const code = inGrid ? cellCode[(fy | 0) * fineNx + (fx | 0)] : -1;
    chunkX[j] = px;
    chunkY[j] = py;
    chunkCodes[j] = code;
    pending[searches] = j; // kept only for a negative code: no branch on the code
    searches += code >>> 31;
  }
  return searches;
}

/** The formula for the chunk's points, whose triangles are in chunkCodes; how many are outside. */
function interpolate(tri: Float64Array, outX: Float64Array, outY: Float64Array, scaleOut: number): number {
  let outside = 0;
  for (let j = 0; j < outX.length; j++) {
    const code = chunkCodes[j];
    if (code < 0) {
      // NaN or infinite coordinates: no vertex is nearest, so no correction either.
      outX[j] = NaN;
      outY[j] = NaN;
      continue;
    }
    outside += code & 1;
    const o = code >> 1;
    const v2x = chunkX[j] - tri[o];
    const v2y = chunkY[j] - tri[o + 1];
    const den = tri[o + 6];
    const w1 = (v2x * tri[o + 5] - tri[o + 4] * v2y) / den;
    const w2 = (tri[o + 2] * v2y - v2x * tri[o + 3]) / den;
    const w0 = 1 - w1 - w2;
    outX[j] = (w0 * tri[o + 7] + w1 * tri[o + 9] + w2 * tri[o + 11]) / scaleOut;
    outY[j] = (w0 * tri[o + 8] + w1 * tri[o + 10] + w2 * tri[o + 12]) / scaleOut;
  }
  return outside;
}

/** Replaces the pending points' codes in chunkCodes by their triangles' (-1: NaN/inf points). */
function searchPending(loc: MeshLocator, searches: number): void {
  const { tri, records } = loc;
  const { vx, vy } = loc.mesh;
  const below = -INSIDE_TOLERANCE;
  for (let k = 0; k < searches; k++) {
    const j = pending[k];
    const px = chunkX[j];
    const py = chunkY[j];
    const r = ~chunkCodes[j];
    if (r === 0 || records[r] === LIST) {
      chunkCodes[j] = r === 0 ? locateFar(loc, px, py) : searchList(loc, r + 1, px, py);
      continue;
    }
    // A pair. Both tests are computed (the unused one on a dummy triangle or vertex) and their
    // outcomes combined arithmetically: a branch on them would be mispredicted half the time.
    // The triangle test multiplies by 1/den, as searchList does.
    const o = records[r + 1];
    const v2x = px - tri[o];
    const v2y = py - tri[o + 1];
    const a = (v2x * tri[o + 5] - tri[o + 4] * v2y) * tri[o + 13];
    const b = (tri[o + 2] * v2y - v2x * tri[o + 3]) * tri[o + 13];
    const missed = +(a < below) | +(b < below) | +(1 - a - b < below);
    const u = records[r + 2];
    const v = records[r + 3];
    const ux = px - vx[u];
    const uy = py - vy[u];
    const wx = px - vx[v];
    const wy = py - vy[v];
    const nearerV = +(wx * wx + wy * wy < ux * ux + uy * uy); // a tie keeps u, the lower index
    const isVertexPair = records[r]; // VERTEX_PAIR = 1, TRIANGLE_PAIR = 0
    chunkCodes[j] = records[r + 4 + ((missed & (isVertexPair ^ 1)) | (nearerV & isVertexPair))];
  }
}

/**
 * A point of a LIST record whose lists start at records[k]: the first listed triangle holding it,
 * else the first triangle of its nearest listed vertex; coded as MeshLocator.cellCode is.
 */
function searchList(loc: MeshLocator, k: number, px: number, py: number): number {
  const { tri, records } = loc;
  for (let o = records[k]; o >= 0; o = records[++k]) {
    const v2x = px - tri[o];
    const v2y = py - tri[o + 1];
    // The containment test multiplies by 1/den (no division per candidate); the weights
    // of the triangle found are then computed with the division, as the formula reads.
    const inv = tri[o + 13];
    const a = (v2x * tri[o + 5] - tri[o + 4] * v2y) * inv;
    if (a < -INSIDE_TOLERANCE) continue;
    const b = (tri[o + 2] * v2y - v2x * tri[o + 3]) * inv;
    if (b >= -INSIDE_TOLERANCE && 1 - a - b >= -INSIDE_TOLERANCE) return o * 2;
  }
  const { vx, vy } = loc.mesh;
  let best = -1;
  let bestD = Infinity;
  for (let v = records[++k]; v >= 0; v = records[++k]) {
    const dx = px - vx[v];
    const dy = py - vy[v];
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d; // ascending list: a tie keeps the lower index
      best = v;
    }
  }
  return best < 0 ? locateFar(loc, px, py) : loc.firstTriangle[best] * T_STRIDE * 2 + 1;
}

/** A point off the grid (or NaN): outside the mesh; -1 when no vertex is nearest. */
function locateFar(loc: MeshLocator, px: number, py: number): number {
  const cx = Math.floor((px - loc.x0) / loc.cellW);
  const cy = Math.floor((py - loc.y0) / loc.cellH);
  const nearest = nearestVertex(loc, px, py, cx, cy);
  return nearest < 0 ? -1 : loc.firstTriangle[nearest] * T_STRIDE * 2 + 1;
}

/**
 * The nearest vertex (lowest index on a tie) that belongs to a triangle, for a point of coarse
 * cell (cx, cy) (any cell off the coarse grid: a scan of all vertices); -1 for NaN/inf points.
 */
export function nearestVertex(loc: MeshLocator, px: number, py: number, cx: number, cy: number): number {
  const { vx, vy } = loc.mesh;
  const inGrid = cx >= 0 && cx < loc.nx && cy >= 0 && cy < loc.ny;
  const cell = cy * loc.nx + cx;
  const from = inGrid ? loc.vertStart[cell] : 0;
  const to = inGrid ? loc.vertStart[cell + 1] : vx.length;
  let best = -1;
  let bestD = Infinity;
  for (let k = from; k < to; k++) {
    const v = inGrid ? loc.vertCells[k] : k; // far outside the grid: a scan of the vertices
    if (loc.firstTriangle[v] < 0) continue;
    const dx = px - vx[v];
    const dy = py - vy[v];
    const d = dx * dx + dy * dy;
    if (d < bestD || (d === bestD && v < best)) {
      bestD = d;
      best = v;
    }
  }
  return best;
}
