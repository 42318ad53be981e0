"""The numpy baseline for `npm run bench`: the same per-column statistics as sluice's
`stats` sink (count, mean, std, min, max over non-NaN values, float64 accumulation, two
passes per chunk), over a memory-mapped .npy read in chunks of CHUNK_ROWS rows.

    python3 bench/numpy_stats.py FILE CHUNK_ROWS   -> one JSON line
"""
import json
import resource
import sys
import time

import numpy as np


def chunked_stats(path, chunk_rows):
    data = np.load(path, mmap_mode="r")
    count = 0
    mean = 0.0
    m2 = 0.0
    lo = np.inf
    hi = -np.inf
    for start in range(0, data.shape[0], chunk_rows):
        x = np.asarray(data[start : start + chunk_rows], dtype=np.float64)
        x = x[~np.isnan(x)]
        n = x.size
        if n == 0:
            continue
        chunk_mean = x.mean()
        chunk_m2 = np.square(x - chunk_mean).sum()
        lo = min(lo, x.min())
        hi = max(hi, x.max())
        # Chan et al.: combine (count, mean, m2) of the chunk with the running totals.
        delta = chunk_mean - mean
        total = count + n
        mean += delta * n / total
        m2 += chunk_m2 + delta * delta * count * n / total
        count = total
    return {"count": count, "mean": mean, "std": (m2 / count) ** 0.5 if count else None, "min": lo, "max": hi}


def main():
    path, chunk_rows = sys.argv[1], int(sys.argv[2])
    started = time.perf_counter()
    stats = chunked_stats(path, chunk_rows)
    seconds = time.perf_counter() - started
    size = np.load(path, mmap_mode="r").nbytes
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "bytes": int(size), "maxRssBytes": max_rss, "mean": stats["mean"]}))


if __name__ == "__main__":
    main()
