"""Prediction intervals on M3 monthly (1428 series, h = 18): coverage and MSIS of the 80% and
95% intervals from quantile heads and from split conformal, beside the point sMAPE.

Methods: ``heads`` (the default LSTM with ``levels=[80, 95]``: quantile heads) and
``conformal`` (``levels=[80, 95], conformal=True`` for the LSTM and, as references, seasonal
naive and statsforecast Theta, each calibrated on its own last-18-points backtest). Networks
run with seeds 0 .. seeds-1, baselines once; fit CPU seconds include the calibration refit.

``--split validation`` holds out the last 18 points of the training file (used to choose
the settings); ``--split test`` scores the official test file (run once per seed with the
chosen settings). Run: ``python benchmarks/intervals.py --split test`` (about 4 minutes of
CPU).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from rnnforecast.evaluation import run_protocol

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LEVELS = [80, 95]
COLUMNS = ("smape", "coverage_80", "coverage_95", "msis_80", "msis_95")


def rows(method: str, scores: pd.DataFrame) -> list[str]:
    out = []
    for model, g in scores.groupby("model", sort=False):
        per_seed = g.groupby("seed")[[*COLUMNS, "fit_seconds"]].mean()
        smapes = ", ".join(f"{v:.2f}" for v in per_seed["smape"])
        cells = [_coverage(per_seed[c]) if c.startswith("coverage")
                 else f"{per_seed[c].mean():.3f}" for c in COLUMNS]
        out.append(f"| {method} | {model} | {len(per_seed)} | {smapes} | "
                   + " | ".join(cells) + f" | {per_seed['fit_seconds'].mean():.1f} |")
    return out


def _coverage(values: pd.Series) -> str:
    """Mean over seeds, with the range across seeds when there are several."""
    text = f"{100 * values.mean():.1f}%"
    if len(values) > 1:
        text += f" ({100 * values.min():.1f}-{100 * values.max():.1f})"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("validation", "test"), default="test")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--methods", default="heads,conformal")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    train = args.data / "m3-monthly-train.csv"
    test = args.data / "m3-monthly-test.csv" if args.split == "test" else None
    print(f"M3 monthly, {args.split}: h = 18, levels {LEVELS}, seeds 0..{args.seeds - 1}\n")
    print("| intervals | model | seeds | sMAPE per seed | sMAPE | coverage 80 | coverage 95 "
          "| MSIS 80 | MSIS 95 | fit CPU s |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for method in args.methods.split(","):
        models = ["lstm"] if method == "heads" else ["lstm", "theta"]
        result = run_protocol(str(train), models, horizon=18, test=None if test is None
                              else str(test), seeds=args.seeds, levels=LEVELS,
                              conformal=method == "conformal", quiet=True)
        scores = result.scores.dropna(subset=["coverage_80"])  # models with intervals
        for line in rows(method, scores):
            print(line, flush=True)


if __name__ == "__main__":
    main()
