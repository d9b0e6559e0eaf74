"""Local models on M3 monthly: one grouped fit of N series vs N one-series fits, same code.

``Forecaster(horizon=18, local=True)`` fits one small network per series (one LSTM(8),
100 full-batch epochs; ``--ensemble K`` for K per series); "batched" fits the first N series of
``m3-monthly-train.csv`` in one call, "looped" fits each series alone through the very same
code path (a one-group model). Both are timed as CPU seconds (``time.process_time``) of fit +
predict with one torch thread, imports and CSV reading excluded, median of ``--runs`` runs.
The loop over all N series takes minutes per run, so by default it is timed on a stride
sample (every ``N / --loop-series``-th series, so lengths are representative) and scaled to
N per series; the output says so. The batched fit is also timed on that sample, for a
like-for-like ratio. Forecasts of the two are compared (max absolute difference, and relative
to the series' forecast scale), and the batched forecasts are scored against
``m3-monthly-test.csv`` (sMAPE 0-200, MASE m = 12) beside the global default network and
seasonal naive.

Run: ``python benchmarks/local_models.py`` (about 10 minutes on one core), or
``--loop-series 1000`` to loop over every series.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnnforecast import Forecaster
from rnnforecast.metrics import mase, smape

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
H = 18


def cpu_seconds(work: Callable[[], pd.DataFrame], runs: int) -> tuple[list[float], pd.DataFrame]:
    times, result = [], pd.DataFrame()
    for _ in range(runs):
        start = time.process_time()
        result = work()
        times.append(time.process_time() - start)
    return times, result


def scores(forecast: pd.DataFrame, column: str, train: pd.DataFrame,
           test: pd.DataFrame) -> tuple[float, float]:
    s, m = [], []
    history = dict(tuple(train.groupby("unique_id", sort=False)))
    actual = dict(tuple(test.groupby("unique_id", sort=False)))
    for uid, f in forecast.groupby("unique_id", sort=False):
        y = actual[uid]["y"].to_numpy()
        s.append(smape(y, f[column]))
        m.append(mase(y, f[column], history[uid]["y"].to_numpy(), 12))
    return float(np.mean(s)), float(np.mean(m))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--loop-series", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ensemble", type=int, default=None,
                        help="members per series (default: the library's, 1 for local models)")
    parser.add_argument("--global-model", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    train = pd.read_csv(DATA / "m3-monthly-train.csv", parse_dates=["ds"])
    test = pd.read_csv(DATA / "m3-monthly-test.csv", parse_dates=["ds"])
    ids = list(train["unique_id"].drop_duplicates()[: args.series])
    train = train[train["unique_id"].isin(ids)].reset_index(drop=True)
    test = test[test["unique_id"].isin(ids)].reset_index(drop=True)
    stride = max(1, len(ids) // max(1, args.loop_series))
    sample = ids[::stride][: args.loop_series]
    parts = dict(tuple(train.groupby("unique_id", sort=False)))
    sample_frame = pd.concat([parts[u] for u in sample], ignore_index=True)
    local = {"horizon": H, "local": True, "ensemble": args.ensemble}
    Forecaster(horizon=2, epochs=1, local=True).fit(parts[ids[0]])  # warm torch up

    def batched(frame: pd.DataFrame) -> Callable[[], pd.DataFrame]:
        return lambda: Forecaster(**local).fit(frame).predict()

    def looped() -> pd.DataFrame:
        return pd.concat([Forecaster(**local).fit(parts[u]).predict() for u in sample],
                         ignore_index=True)

    all_times, all_forecast = cpu_seconds(batched(train), args.runs)
    sample_times, _ = cpu_seconds(batched(sample_frame), args.runs)
    loop_times, loop_forecast = cpu_seconds(looped, args.runs)
    settings = Forecaster(**local).fit(parts[ids[0]]).settings_

    n, k = len(ids), len(sample)
    batched_s = statistics.median(all_times)
    loop_s = statistics.median(loop_times) * n / k
    like_ratio = statistics.median(loop_times) / statistics.median(sample_times)
    merged = all_forecast.merge(loop_forecast, on=["unique_id", "ds"], suffixes=("_b", "_l"))
    diff = (merged["lstm_b"] - merged["lstm_l"]).abs()
    scale = merged.groupby("unique_id")["lstm_l"].transform(lambda v: v.abs().max())
    print(f"M3 monthly, first {n} series, h = {H}; local settings {settings}; one torch "
          f"thread; CPU s = fit + predict, median of {args.runs} runs")
    print()
    print("| run | series fitted | CPU s per run | median | per series |")
    print("|---|---:|---|---:|---:|")
    print(f"| batched (one grouped fit) | {n} | {_list(all_times)} | {batched_s:.1f} | "
          f"{batched_s / n:.4f} |")
    print(f"| batched, loop sample only | {k} | {_list(sample_times)} | "
          f"{statistics.median(sample_times):.1f} | {statistics.median(sample_times) / k:.4f} |")
    print(f"| looped (one fit per series) | {k} | {_list(loop_times)} | "
          f"{statistics.median(loop_times):.1f} | {statistics.median(loop_times) / k:.4f} |")
    print()
    scaled = "" if k == n else f" (the loop timed on {k} of the {n} series and scaled per series)"
    print(f"looped for {n} series: {loop_s:.1f} s{scaled}; batched {batched_s:.1f} s: "
          f"batched is {loop_s / batched_s:.1f}x faster")
    print(f"on the same {k} series: batched is {like_ratio:.1f}x faster")
    relative = (diff / scale).groupby(merged["unique_id"]).max()
    print(f"forecasts, batched vs looped ({k} series, {len(merged)} values): max abs "
          f"difference {diff.max():.3g}; per series, max difference relative to the series' "
          f"forecast scale: median {relative.median():.2g}, 90th percentile "
          f"{relative.quantile(0.9):.2g}, max {relative.max():.2g}; series equal bit for bit: "
          f"{int((relative == 0).sum())} of {k}")
    print()
    print("| model | sMAPE | MASE | fit + predict CPU s |")
    print("|---|---:|---:|---:|")
    ours = scores(all_forecast, "lstm", train, test)
    print(f"| local LSTMs (batched) | {ours[0]:.2f} | {ours[1]:.3f} | {batched_s:.1f} |")
    if args.global_model:
        start = time.process_time()
        global_forecast = Forecaster(horizon=H).fit(train).predict()
        seconds = time.process_time() - start
        glob = scores(global_forecast, "lstm", train, test)
        print(f"| global LSTM (default) | {glob[0]:.2f} | {glob[1]:.3f} | {seconds:.1f} |")
    naive = pd.concat([
        pd.DataFrame({"unique_id": u, "snaive": np.resize(g["y"].to_numpy()[-12:], H)})
        for u, g in parts.items()], ignore_index=True)
    snaive = scores(naive, "snaive", train, test)
    print(f"| seasonal naive | {snaive[0]:.2f} | {snaive[1]:.3f} | |")


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
