"""h5py writing the same 7 columns as bench/writers-case.ts, batch by batch into extensible
chunked datasets: the reference for the hdf5 sink. Usage: h5py_write.py <rows> <out>"""
import json
import resource
import sys
import time

import h5py
import numpy as np

rows, out = int(sys.argv[1]), sys.argv[2]
CHUNK = 1 << 20
names = ["x", "y", "z", "mc", "hv", "tof", "ipp"]
seconds = 0.0
t = time.perf_counter()
f = h5py.File(out, "w")
ds = [f.create_dataset(n, shape=(0,), maxshape=(None,), chunks=(65536,), dtype="<f4" if i < 6 else "<i4")
      for i, n in enumerate(names)]
seconds += time.perf_counter() - t
for start in range(0, rows, CHUNK):
    n = min(CHUNK, rows - start)
    idx = np.arange(start, start + n)
    cols = [((idx % 9973) * 0.37 + c).astype("<f4") for c in range(6)] + [(idx % 1000).astype("<i4")]
    t = time.perf_counter()
    for d, c in zip(ds, cols):
        d.resize((start + n,))
        d[start:] = c
    seconds += time.perf_counter() - t
t = time.perf_counter()
f.close()
seconds += time.perf_counter() - t
print(json.dumps({"seconds": seconds, "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
