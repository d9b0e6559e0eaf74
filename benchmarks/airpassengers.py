"""Every model on AirPassengers, hold-out and tutorial protocols, in one run.

Hold-out: train 1949-1958 (120 months), forecast 1959-1960 (24) in one go; deep models over
seeds 0-4 (mean, sd, min, max of MASE and MAPE), baselines once; CPU seconds of fit +
forecast (``time.process_time``, torch imported beforehand). Tutorial: the classic 67/33
one-step protocol at the default lookback and at lookback 1, beside persistence.
Run: ``python benchmarks/airpassengers.py`` (about a minute).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnforecast import load_dataset
from rnnforecast.evaluation import run_protocol

DEEP = ["lstm", "gru", "rnn"]
BASELINES = ["seasonal_naive", "naive", "drift", "mean", "naive2", "seasonal_drift",
             "auto_ets", "auto_ets_log", "auto_arima", "auto_arima_log", "theta", "theta_log"]


def sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def holdout_table(train: pd.DataFrame, test: pd.DataFrame) -> None:
    result = run_protocol(pd.concat([train, test]), DEEP + BASELINES, horizon=24, seeds=5)
    scores = result.scores
    print("| model | seeds | MASE mean | sd | min | max | MAPE % mean | sd | min | max "
          "| CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for model, g in scores.groupby("model", sort=False):
        mase, mape = g["mase"].to_numpy(), g["mape"].to_numpy()
        print(f"| {model} | {len(g)} | {mase.mean():.3f} | {sd(mase):.3f} | {mase.min():.3f} "
              f"| {mase.max():.3f} | {mape.mean():.2f} | {sd(mape):.2f} | {mape.min():.2f} "
              f"| {mape.max():.2f} | {g['fit_seconds'].mean():.2f} |")


def tutorial_table(data: pd.DataFrame) -> None:
    print("| lookback | model | seeds | RMSE | sd | scaled RMSE | beats persistence |")
    print("|---|---|---:|---:|---:|---:|---|")
    for lookback in (None, 1):
        result = run_protocol(data, ["lstm"], protocol="tutorial", seeds=5, lookback=lookback)
        summary = result.summary()
        look = result.notes["lookback"]
        for row in summary.itertuples():
            beats = getattr(row, "beats_persistence", False)
            print(f"| {look} | {row.model} | {row.seeds} | {row.rmse:.2f} | {row.rmse_sd:.2f} "
                  f"| {row.scaled_rmse:.4f} | {'yes' if beats else 'no'} |")


def main() -> None:
    data = load_dataset("airpassengers")
    print("## Hold-out: train 1949-1958, forecast 1959-1960 (h = 24)\n")
    holdout_table(data.iloc[:120], data.iloc[120:])
    print("\n## Tutorial protocol: 67/33 split, 46 one-step predictions from true lags\n")
    tutorial_table(data)


if __name__ == "__main__":
    main()
