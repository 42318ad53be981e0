#!/usr/bin/env python3
"""scipy's Welch over a float32 .npy too large to load, done right: the same result as
scipy.signal.welch(x, nperseg=4096, noverlap=2048, window='hann') on the whole array.

    python3 bench/scipy_welch.py FILE CHUNK_ROWS

Iterates over a memmap in chunks that overlap by nperseg - hop samples, so every segment of
the whole array is seen exactly once; for each chunk, scipy.signal.welch(average='mean') gives
the mean periodogram of its segments, which is multiplied back by the chunk's segment count
and summed. Prints one JSON line: seconds, bytes, segments, maxRssBytes.
"""

import json
import resource
import sys
import time

import numpy as np
from scipy import signal

NPERSEG, HOP = 4096, 2048


def main():
    path, chunk_rows = sys.argv[1], int(sys.argv[2])
    x = np.load(path, mmap_mode="r")
    n = len(x)
    started = time.perf_counter()
    total = None
    segments = 0
    first = 0  # index of the next segment to compute
    count_all = (n - NPERSEG) // HOP + 1
    while first < count_all:
        # whole segments per chunk: about chunk_rows new samples
        per_chunk = max(1, chunk_rows // HOP)
        last = min(count_all, first + per_chunk)
        lo, hi = first * HOP, (last - 1) * HOP + NPERSEG
        _, pxx = signal.welch(x[lo:hi], nperseg=NPERSEG, noverlap=NPERSEG - HOP, window="hann")
        k = last - first
        total = pxx * k if total is None else total + pxx * k
        segments += k
        first = last
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "bytes": n * 4, "segments": segments, "maxRssBytes": rss}))


if __name__ == "__main__":
    main()
