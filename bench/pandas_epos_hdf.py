"""The baseline of the EPOS correction in `npm run bench -- table`: PyCCAPT's streaming
correction (pyccapt.calibration.reflectron_correction.core.correct_epos_streaming) re-expressed
with numpy, matplotlib's TriFinder, scipy's cKDTree and pandas.HDFStore.append:

  - the EPOS is memory-mapped and read in chunks of CHUNK_ROWS rows (PyCCAPT's 1 << 20);
  - each chunk becomes PyCCAPT's 15 columns, as epos_to_ccapt makes them (float32, x_det and
    y_det in cm, three int32 columns, the zero columns);
  - the reflectron mesh correction of the preset, as PyCCAPT computes it: the triangle holding
    each hit (matplotlib's trapezoid-map TriFinder over the (detectorY, detectorX) vertices),
    points outside the mesh given the first triangle of their nearest vertex (cKDTree), then the
    barycentric weights applied to the grid positions, in float64. Vectorised over the chunk
    (PyCCAPT loops over the triangles; this is the faster way to do the same work);
  - HDFStore.append(key, chunk, format='table', data_columns=True, index=INDEX), the table
    layout sluice's `layout: pandas` writes (INDEX 0: no PyTables column indexes, as sluice).

    /usr/bin/python3 bench/pandas_epos_hdf.py EPOS OUT.h5 PRESET_DIR PRESET [CHUNK_ROWS] [INDEX]
Prints one JSON line: seconds, rows, maxRssBytes.
"""
import json
import os
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd
import tables
from matplotlib import tri as mtri
from scipy.spatial import cKDTree

EPOS = np.dtype([(n, ">f4") for n in ("x", "y", "z", "m", "tof", "hv", "pulse", "dx", "dy")]
                + [("pslep", ">u4"), ("ipp", ">u4")])


class Mesh:
    """A preset's vertices, triangles, TriFinder and the fallback triangle of each vertex."""

    def __init__(self, preset_dir, preset):
        inter = pd.read_csv(os.path.join(preset_dir, f"{preset}_intersections.csv"))
        self.triangles = pd.read_csv(os.path.join(preset_dir, f"{preset}_triangles.csv"),
                                     header=None).to_numpy(dtype=np.int64) - 1
        self.vx = inter["detectorY"].to_numpy(dtype=float)  # PyCCAPT's swap
        self.vy = inter["detectorX"].to_numpy(dtype=float)
        self.gx = inter["gridX"].to_numpy(dtype=float)
        self.gy = inter["gridY"].to_numpy(dtype=float)
        self.finder = mtri.Triangulation(self.vx, self.vy, triangles=self.triangles).get_trifinder()
        self.tree = cKDTree(np.column_stack([self.vx, self.vy]))
        first = np.full(len(self.vx), -1, dtype=np.int64)
        for t in range(len(self.triangles) - 1, -1, -1):
            first[self.triangles[t]] = t
        self.first_triangle = first

    def correct(self, x_mm, y_mm):
        """The corrected (x, y) in mm, float64."""
        t = np.asarray(self.finder(x_mm, y_mm), dtype=np.int64)
        outside = t < 0
        if outside.any():
            nearest = self.tree.query(np.column_stack([x_mm[outside], y_mm[outside]]), k=1)[1]
            t[outside] = self.first_triangle[nearest]
        a, b, c = self.triangles[t, 0], self.triangles[t, 1], self.triangles[t, 2]
        v0x, v0y = self.vx[b] - self.vx[a], self.vy[b] - self.vy[a]
        v1x, v1y = self.vx[c] - self.vx[a], self.vy[c] - self.vy[a]
        v2x, v2y = x_mm - self.vx[a], y_mm - self.vy[a]
        den = v0x * v1y - v1x * v0y
        w1 = (v2x * v1y - v1x * v2y) / den
        w2 = (v0x * v2y - v2x * v0y) / den
        w0 = 1.0 - w1 - w2
        return (w0 * self.gx[a] + w1 * self.gx[b] + w2 * self.gx[c],
                w0 * self.gy[a] + w1 * self.gy[b] + w2 * self.gy[c])


def ccapt_chunk(rec, start):
    """PyCCAPT's 15 columns of one chunk of EPOS records, as epos_to_ccapt makes them."""
    n = len(rec)
    zeros32 = np.zeros(n, dtype=np.float32)
    izeros = np.zeros(n, dtype=np.int32)
    f32 = lambda name: rec[name].astype(np.float32)
    return pd.DataFrame({
        "x (nm)": f32("x"), "y (nm)": f32("y"), "z (nm)": f32("z"), "mc (Da)": f32("m"),
        "mc_uc (Da)": zeros32, "high_voltage (V)": f32("hv"), "pulse_v (V)": f32("pulse"),
        "pulse_l (pJ)": zeros32, "t (ns)": f32("tof"), "t_c (ns)": zeros32,
        "x_det (cm)": f32("dx") / np.float32(10), "y_det (cm)": f32("dy") / np.float32(10),
        "delta_p": rec["pslep"].astype(np.int32), "multi": rec["ipp"].astype(np.int32),
        "start_counter": izeros,
    }, index=pd.RangeIndex(start, start + n))


def main():
    # PyCCAPT's column names are not Python identifiers; PyTables says so once per column and chunk.
    warnings.filterwarnings("ignore", category=tables.NaturalNameWarning)
    path, out, preset_dir, preset = sys.argv[1:5]
    chunk_rows = int(sys.argv[5]) if len(sys.argv) > 5 else 1 << 20
    index = len(sys.argv) > 6 and sys.argv[6] == "1"
    started = time.perf_counter()
    mesh = Mesh(preset_dir, preset)
    data = np.memmap(path, dtype=EPOS, mode="r", shape=(os.path.getsize(path) // EPOS.itemsize,))
    with pd.HDFStore(out, mode="w") as store:
        for start in range(0, len(data), chunk_rows):
            df = ccapt_chunk(data[start : start + chunk_rows], start)
            x, y = mesh.correct(df["x_det (cm)"].to_numpy(dtype=float) * 10.0,
                                df["y_det (cm)"].to_numpy(dtype=float) * 10.0)
            df["x_det (cm)"] = x / 10.0
            df["y_det (cm)"] = y / 10.0
            store.append("df", df, format="table", data_columns=True, index=index)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": len(data),
                      "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
