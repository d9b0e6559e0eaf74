"""The forecasting competitions: the default LSTM beside statsforecast's models.

    python benchmarks/competitions.py --dataset m4-hourly [--seeds 0 1 2]

Datasets (official train / test files in ``../shared/data``, see its README): M3 monthly,
quarterly, yearly and other, M4 hourly and weekly, tourism monthly, quarterly and yearly.
Every model is fitted on the train file and forecasts the official horizon in one go; the
forecasts are scored with the library's own evaluation code
(`rnnforecast.evaluation.protocols.score_forecasts`, M4
definitions: sMAPE on 0-200, MASE scaled by the in-sample seasonal naive MAE), and OWA is
0.5 (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) against the Naive2 fitted in the same run.

Each fit runs in its own child process, so that its peak memory can be read honestly: the
"peak RSS" column is ``ru_maxrss`` of that process from ``os.wait4`` (Python, pandas, torch
or statsforecast imports included: about 0.3-0.4 GB of it is the interpreter and libraries).
"fit CPU s" is `time.process_time` of fit + forecast inside the child, imports excluded.
The LSTM is fitted once per seed with the library's defaults (nothing set but horizon,
seed and, where the benchmark's MASE needs it, season length), and so is its combination
``lstm_ets_theta`` when ``--models`` names it; the baselines once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class Dataset:
    name: str
    horizon: int
    season: int  # for the models and for the MASE scale
    note: str
    mape: bool = False


DATASETS = {
    "m3-monthly": Dataset("m3-monthly", 18, 12, "1428 series"),
    "m3-quarterly": Dataset("m3-quarterly", 8, 4, "756 series"),
    "m3-yearly": Dataset("m3-yearly", 6, 1, "645 series"),
    "m4-hourly": Dataset("m4-hourly", 48, 24, "414 series"),
    # the official M4 MASE for weekly data uses m = 1 (sNaive = Naive there); the models
    # are given the same season, as the M4 benchmarks were
    "m4-weekly": Dataset("m4-weekly", 13, 1, "359 series; m = 1 as in the official MASE"),
    "tourism-monthly": Dataset("tourism-monthly", 24, 12, "366 series", mape=True),
    "m3-other": Dataset("m3-other", 8, 1, "174 series"),
    "tourism-quarterly": Dataset("tourism-quarterly", 8, 4, "427 series", mape=True),
    "tourism-yearly": Dataset("tourism-yearly", 4, 1, "518 series", mape=True),
}
BASELINES = ("naive2", "seasonal_naive", "theta", "auto_ets")
DEEP = "lstm"
#: fitted once per seed: the network and its combination with AutoETS and Theta (not in
#: the default --models: it refits the network, so ask for it)
COMBINED = "lstm_ets_theta"
SEEDED = (DEEP, COMBINED)


def files(dataset: Dataset, data_dir: Path) -> tuple[Path, Path]:
    return data_dir / f"{dataset.name}-train.csv", data_dir / f"{dataset.name}-test.csv"


# ------------------------------------------------------------------------- child process


def fit_one(dataset: Dataset, data_dir: Path, model: str, seed: int, out: Path) -> None:
    """Fit one model (one seed) on the train file and write its forecasts and CPU seconds."""
    from rnnforecast.data.reader import read_series

    train_path, _ = files(dataset, data_dir)
    train = read_series(str(train_path))
    forecaster: Any
    if model in SEEDED:
        import torch

        from rnnforecast.combination import LstmEtsTheta
        from rnnforecast.evaluation.protocols import warm_statsforecast
        from rnnforecast.forecaster import Forecaster

        torch.zeros(1)  # torch's lazy start-up is not the fit's cost
        if model == DEEP:
            forecaster = Forecaster(DEEP, horizon=dataset.horizon, seed=seed,
                                    season_length=dataset.season)
        else:
            warm_statsforecast()
            forecaster = LstmEtsTheta(dataset.horizon, dataset.season, seed=seed)
    else:
        from rnnforecast.baselines import make_baseline
        from rnnforecast.evaluation.protocols import warm_statsforecast

        warm_statsforecast()
        forecaster = make_baseline(model, dataset.horizon, dataset.season)
    start = time.process_time()
    forecast = forecaster.fit(train).predict()
    seconds = time.process_time() - start
    forecast.rename(columns={model: "forecast"}).to_csv(out, index=False)
    out.with_suffix(".json").write_text(json.dumps({"cpu_s": seconds}))


# ------------------------------------------------------------------------------- parent


def run_child(dataset: Dataset, data_dir: Path, model: str, seed: int,
              folder: Path) -> tuple[pd.DataFrame, float, float]:
    """Forecasts, fit CPU seconds and peak RSS (MB) of one fit in a child process."""
    out = folder / f"{model}-{seed}.csv"
    cmd = [sys.executable, __file__, "--dataset", dataset.name, "--data-dir", str(data_dir),
           "--child", model, str(seed), str(out)]
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{model} seed {seed} failed (exit {proc.returncode})")
    frame = pd.read_csv(out)
    seconds = float(json.loads(out.with_suffix(".json").read_text())["cpu_s"])
    return frame, seconds, usage.ru_maxrss / 1024.0  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, choices=sorted(DATASETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--models", default=",".join((DEEP, *BASELINES)),
                        help="comma-separated (default: lstm and every baseline)")
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, help="also write the table's rows here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    dataset = DATASETS[args.dataset]
    if args.child:
        model, seed, out = args.child
        fit_one(dataset, args.data_dir, model, int(seed), Path(out))
        return
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if "naive2" not in models:
        models.append("naive2")  # OWA needs it
    report(dataset, args.data_dir, models, args.seeds, args.json)


def report(dataset: Dataset, data_dir: Path, models: list[str], seeds: list[int],
           json_path: Path | None) -> None:
    from rnnforecast.data.reader import read_series
    from rnnforecast.data.splits import read_test
    from rnnforecast.evaluation.protocols import score_forecasts

    train_path, test_path = files(dataset, data_dir)
    train = read_series(str(train_path))
    test = read_test(str(test_path), train, dataset.horizon)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    forecasts, timings, memory = [], {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for model in models:
            for seed in (seeds if model in SEEDED else [0]):
                frame, seconds, rss = run_child(dataset, data_dir, model, seed, Path(tmp))
                frame.insert(0, "seed", seed)
                frame.insert(0, "model", model)
                forecasts.append(frame)
                timings[model, seed] = seconds
                memory[model, seed] = rss
                print(f"  {model} seed {seed}: {seconds:.1f} s CPU, {rss:.0f} MB",
                      file=sys.stderr, flush=True)
    long = pd.concat(forecasts, ignore_index=True)
    long["ds"] = long["ds"].astype(test["ds"].dtype)
    scores = score_forecasts(long, train, test, dataset.season, timings)
    per_seed = scores.groupby(["model", "seed"], sort=False)[["smape", "mase", "mape"]].mean()
    naive2 = per_seed.loc["naive2"].iloc[0]
    rows = []
    for model in models:
        sub = per_seed.loc[model]
        owa = 0.5 * (sub["smape"] / naive2["smape"] + sub["mase"] / naive2["mase"])
        runs = list(sub.index)
        rows.append({
            "model": model, "seeds": len(runs),
            "smape": float(sub["smape"].mean()), "smape_max": float(sub["smape"].max()),
            "mase": float(sub["mase"].mean()), "mase_max": float(sub["mase"].max()),
            "owa": float(owa.mean()), "mape": float(sub["mape"].mean()),
            "cpu_s": float(np.mean([timings[model, s] for s in runs])),
            "rss_mb": float(np.max([memory[model, s] for s in runs])),
            "per_seed": {int(s): {"smape": float(sub.loc[s, "smape"]),
                                  "mase": float(sub.loc[s, "mase"])} for s in runs},
        })
    print_table(dataset, rows, started, seeds)
    if json_path is not None:
        json_path.write_text(json.dumps({"dataset": dataset.name, "started": started,
                                         "rows": rows}, indent=1))


def print_table(dataset: Dataset, rows: list[dict[str, object]], started: str,
                seeds: list[int]) -> None:
    import torch

    import rnnforecast

    try:
        import statsforecast

        sf = statsforecast.__version__
    except ImportError:  # pragma: no cover - an optional dependency
        sf = "not installed"
    print(f"### {dataset.name} (h = {dataset.horizon}, m = {dataset.season}; {dataset.note})\n")
    print(f"{started}; rnnforecast {rnnforecast.__version__}, torch {torch.__version__}, "
          f"statsforecast {sf}; lstm seeds {' '.join(map(str, seeds))} (mean, worst seed)\n")
    head = "| model | seeds | sMAPE (worst) | MASE (worst) | OWA |"
    rule = "|---|---:|---:|---:|---:|"
    if dataset.mape:
        head, rule = head + " MAPE % |", rule + "---:|"
    print(head + " fit CPU s | peak RSS MB |")
    print(rule + "---:|---:|")
    for r in rows:
        spread = r["seeds"] != 1  # type: ignore[comparison-overlap]
        smape = f"{r['smape']:.3f}" + (f" ({r['smape_max']:.3f})" if spread else "")
        mase = f"{r['mase']:.3f}" + (f" ({r['mase_max']:.3f})" if spread else "")
        line = f"| {r['model']} | {r['seeds']} | {smape} | {mase} | {r['owa']:.3f} |"
        if dataset.mape:
            line += f" {r['mape']:.2f} |"
        print(line + f" {r['cpu_s']:.1f} | {r['rss_mb']:.0f} |")
    print()


if __name__ == "__main__":
    main()
