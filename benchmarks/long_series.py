"""One long series: fit + forecast CPU time and accuracy against its length.

    python benchmarks/long_series.py [--runs 3]

The two longest real single series of the development set (``../shared/data/dev``:
Southern Cross Station pedestrians, hourly, m = 24, h = 24; bank calls, 5-minute, m = 169,
h = 169), cut to their last 1,000 and 10,000 points (and the whole 27,716 for the calls).
Validation split: the series' last h points are dropped (the set's test part, never read
here), the h before them held out. Columns: the default LSTM's fit + predict CPU seconds
(``time.process_time``, torch warmed beforehand, median of ``--runs``), its MASE and
seasonal naive's on the held-out part (scale: the training part's mean absolute seasonal
difference), what forecast the series (the network, or the guard's fallback), and the
settings the fit resolved. The CPU seconds include the guard's second fit.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from devset import mase_scale  # this folder's script: the set's MASE scale

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "dev" / "singles"
SERIES = {  # name: (h, m, lengths)
    "fpp3-pedestrian-southern-cross-hourly": (24, 24, (1000, 10000)),
    "fpp3-bank-calls-5min": (169, 169, (1000, 10000, 0)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=DEV)
    args = parser.parse_args()
    import torch

    from rnnforecast import Forecaster

    torch.set_num_threads(1)
    Forecaster(horizon=2, epochs=1).fit(pd.DataFrame({"ds": range(30), "y": np.arange(30.0)}))
    print("| series | points | CPU s (median) | LSTM MASE | forecast by | seasonal naive MASE "
          "| settings |")
    print("|---|---:|---:|---:|---|---:|---|")
    for name, (h, m, lengths) in SERIES.items():
        full = pd.read_csv(args.data_dir / f"{name}.csv")["y"].to_numpy(np.float64)[:-h]
        for length in lengths:
            y = full if length == 0 else full[-(length + h):]
            train, held = y[:-h], y[-h:]
            frame = pd.DataFrame({"ds": np.arange(len(train)), "y": train})
            scale = mase_scale(train, m)
            snaive = np.tile(train[-m:], -(-h // m))[:h]
            cpus = []
            for _ in range(args.runs):
                start = time.process_time()
                f = Forecaster(horizon=h, season_length=m, seed=0).fit(frame)
                fc = f.predict()["lstm"].to_numpy()
                cpus.append(time.process_time() - start)
            mase = float(np.mean(np.abs(held - fc))) / scale
            base = float(np.mean(np.abs(held - snaive))) / scale
            settings = f"hidden {f.settings_['hidden_size']} x {f.settings_['ensemble']}, " \
                       f"{f.settings_['epochs']} epochs, lookback {f.lookback_}"
            by = next(iter(f.guarded_.values()), "network").replace("_", " ")
            print(f"| {name} | {len(train)} | {statistics.median(cpus):.2f} | {mase:.3f} | "
                  f"{by} | {base:.3f} | {settings} |", flush=True)


if __name__ == "__main__":
    main()
