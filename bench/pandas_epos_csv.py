"""The baseline of the CSV row in `npm run bench -- table`: pandas' DataFrame.to_csv of the same
EPOS the sluice case reads (11 columns: 9 float32, 2 uint32, under sluice's EPOS column names),
read with numpy and converted to native byte order first, as a pandas user would.

    /usr/bin/python3 bench/pandas_epos_csv.py EPOS OUT.csv
Prints one JSON line: seconds (read + to_csv), rows, maxRssBytes.
"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

FIELDS = [("x (nm)", ">f4"), ("y (nm)", ">f4"), ("z (nm)", ">f4"), ("m/n (Da)", ">f4"),
          ("TOF (ns)", ">f4"), ("HV_DC (V)", ">f4"), ("pulse (V)", ">f4"), ("det_x (mm)", ">f4"),
          ("det_y (mm)", ">f4"), ("pslep", ">u4"), ("ipp", ">u4")]


def main():
    path, out = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    records = np.fromfile(path, dtype=np.dtype(FIELDS))
    df = pd.DataFrame({name: records[name].astype(dtype.replace(">", "<")) for name, dtype in FIELDS})
    df.to_csv(out, index=False)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": len(df),
                      "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
