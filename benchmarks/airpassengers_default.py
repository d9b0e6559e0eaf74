"""The default LSTM on the AirPassengers hold-out, seeds 0..4: accuracy and CPU time.

Protocol: train on 1949-01..1958-12 (120 months), forecast 1959-01..1960-12 (24) in one go.
MASE is scaled by the in-sample seasonal-naive MAE (m = 12). CPU seconds are this process's
``time.process_time`` for fit + predict, with torch imported (and warmed by one tiny fit)
beforehand, so imports are excluded; the last column is the same fit with ``guard=False``
(no second fit), run right after it, for the guard's cost as a ratio.
Run: ``python benchmarks/airpassengers_default.py``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from rnnforecast import Forecaster, load_dataset
from rnnforecast.metrics import mape, mase


def main() -> None:
    df = load_dataset("airpassengers")
    train, test = df.iloc[:120], df.iloc[120:]
    Forecaster(horizon=2, epochs=1).fit(train.iloc[:30])  # import torch outside the timing
    snaive = np.tile(train["y"].to_numpy()[-12:], 2)
    print(f"seasonal naive: MASE {mase(test['y'], snaive, train['y'], 12):.3f}")
    print("| seed | MASE | MAPE % | fit+predict CPU s | same, guard=False |")
    print("|---:|---:|---:|---:|---:|")
    scores, cpus, bare = [], [], []
    for seed in range(5):
        start = time.process_time()
        forecast = Forecaster(model="lstm", horizon=24, seed=seed).fit(train).predict()
        cpu = time.process_time() - start
        score = mase(test["y"], forecast["lstm"], train["y"], 12)
        scores.append(score)
        cpus.append(cpu)
        start = time.process_time()
        Forecaster(model="lstm", horizon=24, seed=seed, guard=False).fit(train).predict()
        bare.append(time.process_time() - start)
        print(f"| {seed} | {score:.3f} | {mape(test['y'], forecast['lstm']):.2f} | {cpu:.2f} | "
              f"{bare[-1]:.2f} |")
    print(
        f"| mean | {np.mean(scores):.3f} (sd {np.std(scores, ddof=1):.3f}, "
        f"max {np.max(scores):.3f}) | | median {statistics.median(cpus):.2f} | "
        f"median {statistics.median(bare):.2f} (ratio "
        f"{statistics.median(cpus) / statistics.median(bare):.2f}) |"
    )


if __name__ == "__main__":
    main()
