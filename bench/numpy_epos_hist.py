"""The numpy baseline of the EPOS mass spectrum in `npm run bench`: the `m/n (Da)` field of a
memory-mapped big-endian EPOS, np.histogram (1000 bins over [0, 200)) chunk by chunk, counts
summed, as PyCCAPT-style scripts do.

    python3 bench/numpy_epos_hist.py FILE CHUNK_ROWS   -> one JSON line
"""
import json
import os
import resource
import sys
import time

import numpy as np

EPOS = np.dtype([(n, ">f4") for n in ("x", "y", "z", "m", "tof", "hv", "pulse", "dx", "dy")]
                + [("pslep", ">u4"), ("ipp", ">u4")])

path, chunk_rows = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
data = np.memmap(path, dtype=EPOS, mode="r", shape=(os.path.getsize(path) // EPOS.itemsize,))
counts = np.zeros(1000, dtype=np.int64)
for start in range(0, data.shape[0], chunk_rows):
    counts += np.histogram(data["m"][start : start + chunk_rows], bins=1000, range=(0, 200))[0]
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "bytes": os.path.getsize(path),
                  "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
