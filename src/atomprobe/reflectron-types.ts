/**
 * What the reflectron mesh correction's loader (reflectron-mesh.ts), locator builder
 * (reflectron-grid.ts) and kernel share: the mesh, the locator and their layout constants.
 */

/** Barycentric weights this far below 0 still count as inside (points on a shared edge). */
export const INSIDE_TOLERANCE = 1e-12;
/** Per triangle: ax, ay, v0x, v0y, v1x, v1y, den, then gx and gy of a, b, c, then 1/den. */
export const T_STRIDE = 14;
/** Kinds of record (see MeshLocator.records), each record's first entry. */
export const TRIANGLE_PAIR = 0;
export const VERTEX_PAIR = 1;
export const LIST = 2;

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

/** A mesh ready for the kernel (reflectron-grid.ts builds it). */
export interface MeshLocator {
  readonly mesh: ReflectronMesh;
  readonly tri: Float64Array;
  /** Origin of both grids, coarse cell size and shape. */
  readonly x0: number;
  readonly y0: number;
  readonly cellW: number;
  readonly cellH: number;
  readonly nx: number;
  readonly ny: number;
  /** CSR lists per coarse cell: vertices [vertStart[c], vertStart[c+1]) of vertCells, ascending. */
  readonly vertStart: Int32Array;
  readonly vertCells: Int32Array;
  /** The lowest-index triangle holding each vertex (-1 if none). */
  readonly firstTriangle: Int32Array;
  /** Fine grid shape and cells per mm. */
  readonly fineNx: number;
  readonly fineNy: number;
  readonly fineInvW: number;
  readonly fineInvH: number;
  /**
   * Per fine cell, c ≥ 0: the point's triangle starts at tri[c >> 1], and c & 1 says whether the
   * point is outside the mesh (extrapolated). c < 0: the cell's record starts at records[~c]
   * (never at 0, so -1 is free to mean "off the grid").
   */
  readonly cellCode: Int32Array;
  /**
   * [TRIANGLE_PAIR, t·T_STRIDE, 0, 0, code in, code else]: the first code when triangle t holds
   * the point; [VERTEX_PAIR, 0, u, v, code u, code v] (u < v): the second when v is nearer;
   * [LIST, t·T_STRIDE…, -1, v…, -1]: the first triangle listed holding the point, else the
   * nearest vertex listed.
   */
  readonly records: Int32Array;
}
