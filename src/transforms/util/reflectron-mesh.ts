/**
 * PyCCAPT's reflectron mesh correction (the FAU MATLAB toolbox's affine mesh remapping):
 * loading a mesh (a preset shipped in `presets/reflectron/` or a custom pair of CSV files),
 * a uniform-grid point locator, and the per-event kernel.
 *
 * Per event p = (det_x, det_y) in mm, the triangulation's vertices are (detectorY, detectorX)
 * (the swap is PyCCAPT's). In the triangle (a, b, c) containing p, with v0 = b − a, v1 = c − a,
 * v2 = p − a and den = v0x·v1y − v1x·v0y: w1 = (v2x·v1y − v1x·v2y)/den,
 * w2 = (v0x·v2y − v2x·v0y)/den, w0 = 1 − w1 − w2, and the corrected point is
 * Σ wk·(gridX_k, gridY_k). Outside the mesh: the nearest vertex (lowest index on a tie), then
 * the lowest-index triangle holding that vertex, extrapolating with the same formula.
 *
 * Point location: one uniform grid over the triangles' bounding box, widened by a margin. Each
 * cell lists (ascending) the triangles whose bounding box meets it, and the vertices that can
 * be the nearest vertex of some point in the cell (a vertex is kept when its distance to the
 * cell's rectangle is at most the smallest farthest-distance of any vertex), so a lookup
 * tests a handful of candidates instead of scanning the mesh.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../../core/errors.ts';

/** Where the shipped presets live, relative to this module (works from a package install). */
export const PRESET_DIR = fileURLToPath(new URL('../../../presets/reflectron/', import.meta.url));

const INTERSECTIONS_SUFFIX = '_intersections.csv';
const TRIANGLES_SUFFIX = '_triangles.csv';

/** Barycentric weights this far below 0 still count as inside (points on a shared edge). */
const INSIDE_TOLERANCE = 1e-12;
/** Relative |den| below which a triangle is degenerate (numpy.isclose's atol is 1e-8). */
const DEGENERATE_DEN = 1e-8;

export interface ReflectronMesh {
  readonly name: string;
  /** Triangulation vertices in detector mm: x = detectorY, y = detectorX. */
  readonly vx: Float64Array;
  readonly vy: Float64Array;
  /** Grid coordinates of each vertex. */
  readonly gx: Float64Array;
  readonly gy: Float64Array;
  /** 0-based vertex indices, 3 per triangle. */
  readonly triangles: Int32Array;
}

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

// --- the locator -------------------------------------------------------------------------------

/** Per triangle: ax, ay, v0x, v0y, v1x, v1y, den, then gx and gy of a, b, c, then 1/den. */
const T_STRIDE = 14;

export interface MeshLocator {
  readonly mesh: ReflectronMesh;
  readonly tri: Float64Array;
  /** Grid origin, cell size and shape. */
  readonly x0: number;
  readonly y0: number;
  readonly cellW: number;
  readonly cellH: number;
  readonly nx: number;
  readonly ny: number;
  /** CSR lists per cell: triangles [triStart[c], triStart[c+1]) of triCells, likewise vertices. */
  readonly triStart: Int32Array;
  readonly triCells: Int32Array;
  readonly vertStart: Int32Array;
  readonly vertCells: Int32Array;
  /** The lowest-index triangle holding each vertex (-1 if none). */
  readonly firstTriangle: Int32Array;
}

export function buildLocator(mesh: ReflectronMesh): MeshLocator {
  const { vx, vy, gx, gy, triangles } = mesh;
  const nt = triangles.length / 3;
  const tri = new Float64Array(nt * T_STRIDE);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let t = 0; t < nt; t++) {
    const [a, b, c] = [triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2]];
    const v0x = vx[b] - vx[a];
    const v0y = vy[b] - vy[a];
    const v1x = vx[c] - vx[a];
    const v1y = vy[c] - vy[a];
    const den = v0x * v1y - v1x * v0y;
    const scale = Math.max(Math.abs(v0x * v1y), Math.abs(v1x * v0y), 1);
    if (!(Math.abs(den) > DEGENERATE_DEN * scale)) {
      throw new SluiceError(
        'FORMAT_INVALID',
        `reflectron: triangle ${t + 1} of mesh '${mesh.name}' is degenerate`,
        {
          hint: 'Its three vertices are collinear; fix the triangles file.',
        },
      );
    }
    tri.set(
      [vx[a], vy[a], v0x, v0y, v1x, v1y, den, gx[a], gy[a], gx[b], gy[b], gx[c], gy[c], 1 / den],
      t * T_STRIDE,
    );
    for (const v of [a, b, c]) {
      minX = Math.min(minX, vx[v]);
      maxX = Math.max(maxX, vx[v]);
      minY = Math.min(minY, vy[v]);
      maxY = Math.max(maxY, vy[v]);
    }
  }
  // A margin around the mesh so points just outside it find their nearest vertex in a cell too.
  const margin = 0.25 * Math.max(maxX - minX, maxY - minY);
  const x0 = minX - margin;
  const y0 = minY - margin;
  const side = Math.max(4, Math.ceil(2 * Math.sqrt(nt)));
  const nx = side;
  const ny = side;
  const cellW = (maxX - minX + 2 * margin) / nx;
  const cellH = (maxY - minY + 2 * margin) / ny;

  const triLists: number[][] = Array.from({ length: nx * ny }, () => []);
  for (let t = 0; t < nt; t++) {
    const vs = [triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2]];
    const cx0 = clampCell(Math.floor((Math.min(...vs.map((v) => vx[v])) - x0) / cellW), nx);
    const cx1 = clampCell(Math.floor((Math.max(...vs.map((v) => vx[v])) - x0) / cellW), nx);
    const cy0 = clampCell(Math.floor((Math.min(...vs.map((v) => vy[v])) - y0) / cellH), ny);
    const cy1 = clampCell(Math.floor((Math.max(...vs.map((v) => vy[v])) - y0) / cellH), ny);
    // One cell of slack each way: a point on a cell border may compute into either neighbour.
    for (let cy = Math.max(0, cy0 - 1); cy <= Math.min(ny - 1, cy1 + 1); cy++) {
      for (let cx = Math.max(0, cx0 - 1); cx <= Math.min(nx - 1, cx1 + 1); cx++)
        triLists[cy * nx + cx].push(t);
    }
  }

  const nv = vx.length;
  // MATLAB's find(..., 1): the first triangle using each vertex; unused vertices are no fallback.
  const firstTriangle = new Int32Array(nv).fill(-1);
  for (let i = 0; i < triangles.length; i++) {
    if (firstTriangle[triangles[i]] < 0) firstTriangle[triangles[i]] = Math.floor(i / 3);
  }
  const vertLists: number[][] = [];
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = 0; cx < nx; cx++) {
      // Cell rectangle, widened by a little for points that round into the neighbouring cell.
      const rx0 = x0 + (cx - 0.01) * cellW;
      const rx1 = x0 + (cx + 1.01) * cellW;
      const ry0 = y0 + (cy - 0.01) * cellH;
      const ry1 = y0 + (cy + 1.01) * cellH;
      let bound = Infinity;
      for (let v = 0; v < nv; v++) {
        if (firstTriangle[v] < 0) continue;
        const fx = Math.max(Math.abs(vx[v] - rx0), Math.abs(vx[v] - rx1));
        const fy = Math.max(Math.abs(vy[v] - ry0), Math.abs(vy[v] - ry1));
        bound = Math.min(bound, fx * fx + fy * fy);
      }
      const list: number[] = [];
      for (let v = 0; v < nv; v++) {
        if (firstTriangle[v] < 0) continue;
        const dx = Math.max(rx0 - vx[v], 0, vx[v] - rx1);
        const dy = Math.max(ry0 - vy[v], 0, vy[v] - ry1);
        if (dx * dx + dy * dy <= bound) list.push(v);
      }
      vertLists.push(list);
    }
  }

  const [triStart, triCells] = toCsr(triLists);
  const [vertStart, vertCells] = toCsr(vertLists);
  return { mesh, tri, x0, y0, cellW, cellH, nx, ny, triStart, triCells, vertStart, vertCells, firstTriangle };
}

function clampCell(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

function toCsr(lists: number[][]): [Int32Array, Int32Array] {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (start[i + 1] = start[i] + l.length));
  const cells = new Int32Array(start[lists.length]);
  lists.forEach((l, i) => cells.set(l, start[i]));
  return [start, cells];
}

// --- the kernel --------------------------------------------------------------------------------

/**
 * Corrects n points: (xs[i]·scaleIn, ys[i]·scaleIn) in mm → (outX[i], outY[i]) = corrected / scaleOut.
 * Returns how many points lay outside the mesh (extrapolated). NaN inputs give NaN outputs.
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
  const { tri, x0, y0, cellW, cellH, nx, ny, triStart, triCells, firstTriangle } = loc;
  let outside = 0;
  for (let i = 0; i < outX.length; i++) {
    const px = xs[i] * scaleIn;
    const py = ys[i] * scaleIn;
    const cx = Math.floor((px - x0) / cellW);
    const cy = Math.floor((py - y0) / cellH);
    let found = -1;
    if (cx >= 0 && cx < nx && cy >= 0 && cy < ny) {
      const cell = cy * nx + cx;
      for (let k = triStart[cell], end = triStart[cell + 1]; k < end; k++) {
        const o = triCells[k] * T_STRIDE;
        const v2x = px - tri[o];
        const v2y = py - tri[o + 1];
        // The containment test multiplies by 1/den (no division per candidate); the weights
        // of the triangle found are then computed with the division, as the formula reads.
        const inv = tri[o + 13];
        const a = (v2x * tri[o + 5] - tri[o + 4] * v2y) * inv;
        if (a < -INSIDE_TOLERANCE) continue;
        const b = (tri[o + 2] * v2y - v2x * tri[o + 3]) * inv;
        if (b >= -INSIDE_TOLERANCE && 1 - a - b >= -INSIDE_TOLERANCE) {
          found = o;
          break;
        }
      }
    }
    if (found < 0) {
      const nearest = nearestVertex(loc, px, py, cx, cy);
      if (nearest < 0) {
        // NaN or infinite coordinates: no vertex is nearest, so no correction either.
        outX[i] = NaN;
        outY[i] = NaN;
        continue;
      }
      outside++;
      found = firstTriangle[nearest] * T_STRIDE;
    }
    const v2x = px - tri[found];
    const v2y = py - tri[found + 1];
    const den = tri[found + 6];
    const w1 = (v2x * tri[found + 5] - tri[found + 4] * v2y) / den;
    const w2 = (tri[found + 2] * v2y - v2x * tri[found + 3]) / den;
    const w0 = 1 - w1 - w2;
    outX[i] = (w0 * tri[found + 7] + w1 * tri[found + 9] + w2 * tri[found + 11]) / scaleOut;
    outY[i] = (w0 * tri[found + 8] + w1 * tri[found + 10] + w2 * tri[found + 12]) / scaleOut;
  }
  return outside;
}

/** The nearest vertex (lowest index on a tie) that belongs to a triangle; -1 for NaN/inf points. */
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
