"""The default networks on real series of every shape: the development set of
``../shared/data/dev`` (fpp2/fpp3 textbook panels and single series).

    python benchmarks/devset.py [--split test|val] [--seeds 0 1 2] [--files NAME ...]

Each series' last h points are held out (``--split test``, the split of the set's own
reference table), or, for choosing settings, the h points before them with the rest of
the series dropped (``--split val``). As in the set's ``baselines.py``: time is the
position in the series (every file is regular in position), season length m is given,
series shorter than h + 2m + 2 are skipped, MASE is scaled by the training part's mean
absolute seasonal difference at lag m (lag 1 when it is shorter than 2m), series with a
zero scale are left out of MASE, and "rel" is the geometric mean over series of MASE
relative to seasonal naive. Singles are pooled into one row, as in the issue's target.

Networks are fitted with the library's defaults (horizon, season length and seed given);
the statsforecast baselines once, through the library's own baseline classes (AutoARIMA
is skipped where the set's README says it takes minutes). "CPU s" is the process time of
fit + predict summed over the file's series, for one seed.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "dev"
PANELS = {  # file: (h, m)
    "fpp3-tourism-quarterly": (8, 4),
    "fpp3-aus-retail-monthly": (24, 12),
    "fpp3-us-employment-monthly": (24, 12),
    "fpp3-global-economy-yearly": (6, 1),
    "fpp3-pbs-monthly": (24, 12),
}
SINGLES = "singles"
NETWORKS = ("lstm", "gru")
COMBINED = "lstm_ets_theta"  # the network averaged with AutoETS and Theta, once per seed
BASELINES = ("seasonal_naive", "auto_ets", "auto_arima", "theta")
SLOW_ARIMA = {"fpp3-aus-retail-monthly", "fpp3-us-employment-monthly", "fpp3-pbs-monthly",
              "fpp3-pedestrian-southern-cross-hourly", "fpp3-bank-calls-5min"}


def series_sets(name: str, data: Path) -> Iterator[tuple[str, pd.DataFrame, int, int]]:
    """(name, long frame, h, m) for a panel, or for each single of ``singles``."""
    if name != SINGLES:
        h, m = PANELS[name]
        yield name, pd.read_csv(data / f"{name}.csv"), h, m
        return
    index = pd.read_csv(data / SINGLES / "INDEX.csv")
    for row in index.itertuples():
        frame = pd.read_csv(data / SINGLES / f"{row.name}.csv")
        frame.insert(0, "unique_id", row.name)
        yield str(row.name), frame, int(row.h), int(row.m)


def split(frame: pd.DataFrame, h: int, m: int, part: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train and hold-out frames with integer time; ``part="val"`` drops the test first."""
    frame = frame.assign(unique_id=frame["unique_id"].astype(str))
    frame["ds"] = frame.groupby("unique_id").cumcount()
    if part == "val":
        frame = frame.drop(frame.groupby("unique_id").tail(h).index)
    n = frame.groupby("unique_id").size()
    keep = n[(n >= h + 2 * m + 2) & (n >= 2 * h + 2)].index
    frame = frame[frame["unique_id"].isin(keep)]
    test = frame.groupby("unique_id").tail(h)
    return frame.drop(test.index).reset_index(drop=True), test.reset_index(drop=True)


def mase_scale(y: np.ndarray, m: int) -> float:
    """The set's MASE scale: mean absolute seasonal difference at lag m, lag 1 when the
    training part is shorter than 2m (`metrics.mase_scale` falls back only below m + 1)."""
    lag = m if len(y) >= 2 * m else 1
    return float(np.mean(np.abs(y[lag:] - y[:-lag])))


def mase_scales(train: pd.DataFrame, m: int) -> pd.Series:
    return train.groupby("unique_id")["y"].apply(lambda s: mase_scale(s.to_numpy(float), m))


def per_series(test: pd.DataFrame, forecast: pd.DataFrame, column: str,
               scales: pd.Series) -> pd.DataFrame:
    """MASE and sMAPE (0-200) per series."""
    joined = test.merge(forecast[["unique_id", "ds", column]], on=["unique_id", "ds"])
    error = (joined["y"] - joined[column]).abs()
    total = joined["y"].abs() + joined[column].abs()
    joined["smape"] = np.where(total > 0, 200 * error / total.where(total > 0, 1.0), 0.0)
    joined["ae"] = error
    out = joined.groupby("unique_id").agg(mae=("ae", "mean"), smape=("smape", "mean"))
    out["mase"] = out["mae"] / scales.reindex(out.index)
    return out


def forecast(model: str, train: pd.DataFrame, h: int, m: int, seed: int) -> pd.DataFrame:
    if model == COMBINED:
        from rnnforecast.combination import LstmEtsTheta

        return LstmEtsTheta(h, m, seed=seed).fit(train).predict()
    if model in NETWORKS:
        from rnnforecast import Forecaster

        return Forecaster(model, horizon=h, season_length=m, seed=seed).fit(train).predict()
    from rnnforecast.baselines import BASELINES as CLASSES

    return CLASSES[model](h, season_length=m).fit(train).predict()


def run_file(name: str, data: Path, part: str, seeds: list[int],
             models: list[str]) -> list[dict[str, object]]:
    scores: dict[tuple[str, int], list[pd.DataFrame]] = {}
    cpu: dict[tuple[str, int], float] = {}
    for single, frame, h, m in series_sets(name, data):
        train, test = split(frame, h, m, part)
        if train.empty:
            continue
        scales = mase_scales(train, m)
        for model in models:
            if model == "auto_arima" and single in SLOW_ARIMA:
                continue
            for seed in (seeds if model in (*NETWORKS, COMBINED) else [0]):
                start = time.process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fc = forecast(model, train, h, m, seed)
                key = (model, seed)
                cpu[key] = cpu.get(key, 0.0) + time.process_time() - start
                scores.setdefault(key, []).append(per_series(test, fc, model, scales))
    rows: list[dict[str, object]] = []
    naive = pd.concat(scores[("seasonal_naive", 0)])
    for (model, seed), parts in scores.items():
        got = pd.concat(parts)
        got = got[np.isfinite(got["mase"])]
        ratio = (got["mase"] / naive["mase"].reindex(got.index)).replace(0, np.nan)
        ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
        rows.append({"file": name, "model": model, "seed": seed, "series": len(got),
                     "mase": got["mase"].mean(), "smape": got["smape"].mean(),
                     "rel": float(np.exp(np.log(ratio).mean())), "cpu_s": cpu[(model, seed)]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "val"), default="test")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--files", nargs="+", default=[*PANELS, SINGLES])
    parser.add_argument("--models", default=",".join((*NETWORKS, COMBINED, *BASELINES)))
    parser.add_argument("--data-dir", type=Path, default=DEV)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    models = args.models.split(",")
    if "seasonal_naive" not in models:
        models.append("seasonal_naive")
    print(f"split: {args.split}")
    print("| file | model | seeds | series | MASE | sMAPE | rel MASE | CPU s / seed |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for name in args.files:
        rows = pd.DataFrame(run_file(name, args.data_dir, args.split, args.seeds, models))
        for model, group in rows.groupby("model", sort=False):
            seeds = ",".join(str(s) for s in group["seed"])
            mase = " / ".join(f"{v:.3f}" for v in group["mase"])
            print(f"| {name} | {model} | {seeds} | {group['series'].iloc[0]} | {mase} | "
                  f"{group['smape'].mean():.2f} | {group['rel'].mean():.3f} | "
                  f"{group['cpu_s'].median():.1f} |", flush=True)


if __name__ == "__main__":
    main()
