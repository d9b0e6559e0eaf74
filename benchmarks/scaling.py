"""Single-machine throughput of each job kind (series per CPU second), the Dask partitioned
run and the 2-process data-parallel fit: the measurements behind ``docs/scaling.md``.

Run from anywhere: ``.venv/bin/python benchmarks/scaling.py`` (needs ``rnnforecast[scale]``
and the M3 monthly file ``m3-monthly-train.csv`` of the shared benchmark data: ``--data-dir``,
else ``$RNNFORECAST_DATA``, else ``../shared/data`` beside the repository; no network).
``--quick`` uses fewer series. The subprocesses run with this very interpreter, so a clone
without a ``.venv`` of its own works too.

Job kinds, each on the M3 monthly training panel (1,428 series, 126 points on average,
horizon 18) unless said otherwise, one thread:

- ``baselines``: holdout of naive, seasonal naive and drift (numpy, per series);
- ``autoets``: statsforecast AutoETS (per series; a subset of series);
- ``backtest``: 3-window rolling backtest of naive and seasonal naive;
- ``global_fit``: one global LSTM with the panel defaults (about 1,200 steps of 512 windows);
- ``predict``: batch prediction of that fitted model for every series;
- ``local_fit``: ``Forecaster(local=True)`` (one small network per series; a subset);
- ``dask``: the ``baselines`` and ``autoets`` jobs partitioned on a 2-worker LocalCluster
  (processes), against the single process: wall seconds (the workers' CPU is not ours to
  count);
- ``ddp``: ``torchrun --standalone --nproc-per-node {1,2} -m rnnforecast fit`` of the global
  LSTM (batch 512 in total whatever the process count): the steady-state training time of 6
  epochs (a fit of 8 epochs minus one of 2), wall seconds and the children's CPU seconds.

CPU seconds come from ``time.process_time`` (this process) or ``getrusage(RUSAGE_CHILDREN)``
(subprocesses); the machine may be shared with other work, so wall times are upper bounds.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("RNNFORECAST_DATA", ROOT.parent / "shared" / "data"))
PYTHON = Path(sys.executable)  # the interpreter running this script, venv or not
PANEL = "m3-monthly-train.csv"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, CPU seconds, wall seconds)."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def subset(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    ids = list(pd.unique(frame["unique_id"]))[:n]
    return frame[frame["unique_id"].isin(ids)].reset_index(drop=True)


def row(job: str, series: int, cpu: float, wall: float, note: str = "") -> dict[str, Any]:
    return {"job": job, "series": series, "cpu_s": cpu, "wall_s": wall,
            "series_per_cpu_s": series / cpu if cpu > 0 else float("nan"), "note": note}


def single_jobs(panel: pd.DataFrame, quick: bool) -> list[dict[str, Any]]:
    from rnnforecast import Forecaster
    from rnnforecast.evaluation import run_protocol
    from rnnforecast.evaluation.protocols import warm_statsforecast, warm_torch

    warm_torch()
    warm_statsforecast()
    n = panel["unique_id"].nunique()
    rows = []
    _, cpu, wall = timed(lambda: run_protocol(panel, "naive,seasonal_naive,drift", horizon=18))
    rows.append(row("baselines (3 models)", n, cpu, wall))
    ets = subset(panel, 60 if quick else 200)
    _, cpu, wall = timed(lambda: run_protocol(ets, "auto_ets", horizon=18))
    rows.append(row("autoets (+ seasonal naive)", ets["unique_id"].nunique(), cpu, wall))
    _, cpu, wall = timed(lambda: run_protocol(panel, "naive,seasonal_naive", horizon=18,
                                              protocol="backtest", windows=3, step=6))
    rows.append(row("backtest, 3 windows 6 apart (2 models)", n, cpu, wall))
    fit_panel = subset(panel, 300) if quick else panel
    model, cpu, wall = timed(lambda: Forecaster(horizon=18, seed=0).fit(fit_panel))
    rows.append(row("global LSTM fit (panel defaults)", fit_panel["unique_id"].nunique(), cpu,
                    wall, f"{len(model.history_['train_loss'])} epochs"))
    _, cpu, wall = timed(model.predict)
    rows.append(row("global LSTM batch predict", fit_panel["unique_id"].nunique(), cpu, wall))
    local = subset(panel, 50 if quick else 200)
    try:
        _, cpu, wall = timed(lambda: Forecaster(horizon=18, local=True, seed=0).fit(local))
        rows.append(row("local models fit (local=True)", local["unique_id"].nunique(), cpu,
                        wall))
    except Exception as exc:  # local models are optional here
        rows.append(row("local models fit (local=True)", 0, float("nan"), float("nan"),
                        f"not run: {exc}"))
    return rows


def dask_jobs(panel: pd.DataFrame, quick: bool) -> list[dict[str, Any]]:
    from distributed import Client, LocalCluster

    from rnnforecast.evaluation import run_protocol
    from rnnforecast.evaluation.dask_backend import evaluate_partitioned

    rows = []
    ets = subset(panel, 60 if quick else 200)
    jobs = [("baselines (3 models)", panel, "naive,seasonal_naive,drift"),
            ("autoets (+ seasonal naive)", ets, "auto_ets")]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(_warm)
        for name, frame, models in jobs:
            n = frame["unique_id"].nunique()
            _, cpu, wall1 = timed(lambda f=frame, m=models: run_protocol(f, m, horizon=18))
            rows.append(row(f"{name}, 1 process", n, cpu, wall1))
            _, cpu, wall2 = timed(lambda f=frame, m=models: evaluate_partitioned(
                f, m, horizon=18, client=client, partitions=4))
            rows.append(row(f"{name}, Dask 2 workers", n, float("nan"), wall2,
                            f"wall speed-up {wall1 / wall2:.2f}x"))
    return rows


def _warm() -> None:
    from rnnforecast.evaluation.protocols import warm_statsforecast, warm_torch

    warm_statsforecast()
    warm_torch()


def ddp_jobs(panel: pd.DataFrame, quick: bool) -> list[dict[str, Any]]:
    """Steady-state training: a fit of 2 + E epochs minus a fit of 2 epochs (start-up,
    reading, window building and the first epochs' warm-up cancel out), same global batch."""
    extra = 4 if quick else 6
    rows = []
    frame = subset(panel, 400) if quick else panel
    n = frame["unique_id"].nunique()
    with tempfile.TemporaryDirectory() as tmp:
        frame.to_csv(Path(tmp) / "panel.csv", index=False)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "RNNFORECAST_DIST_TIMEOUT": "300"}
        base = None
        for nproc in (1, 2):
            spent = {}
            for epochs in (2, 2 + extra):
                cmd = [str(PYTHON), "-m", "torch.distributed.run", "--standalone",
                       f"--nproc-per-node={nproc}", "-m", "rnnforecast", "fit", "panel.csv",
                       "--horizon", "18", "--epochs", str(epochs), "--save", "m.rnnf"]
                before, wall = children_cpu(), time.perf_counter()
                done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True,
                                      timeout=900, check=False)
                if done.returncode != 0:  # say why, not just which command failed
                    raise SystemExit(f"{' '.join(cmd)} failed (exit {done.returncode}):\n"
                                     f"{done.stderr[-3000:]}")
                spent[epochs] = (children_cpu() - before, time.perf_counter() - wall)
            cpu = spent[2 + extra][0] - spent[2][0]
            wall = spent[2 + extra][1] - spent[2][1]
            base = base or wall
            rows.append(row(f"DDP training, {nproc} process(es), {extra} epochs", n, cpu, wall,
                            f"wall speed-up {base / wall:.2f}x; whole 2-epoch run "
                            f"{spent[2][1]:.1f} s wall"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("single", "dask", "ddp"), action="append")
    parser.add_argument("--data-dir", type=Path, default=DATA,
                        help=f"folder with {PANEL} (default: {DATA})")
    args = parser.parse_args(argv)
    source = args.data_dir / PANEL
    if not source.is_file():
        print(f"error: {source} not found: give --data-dir (or set RNNFORECAST_DATA to) the "
              f"folder of the shared benchmark data, which holds {PANEL}", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(1)
    panel = pd.read_csv(source, parse_dates=["ds"])
    sections = args.only or ["single", "dask", "ddp"]
    rows: list[dict[str, Any]] = []
    for name, fn in (("single", single_jobs), ("dask", dask_jobs), ("ddp", ddp_jobs)):
        if name in sections:
            rows += fn(panel, args.quick)
            print(f"[{name} done]", file=sys.stderr, flush=True)
    print("| job | series | CPU s | wall s | series / CPU s | note |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['job']} | {r['series']} | {r['cpu_s']:.2f} | {r['wall_s']:.2f} | "
              f"{r['series_per_cpu_s']:.1f} | {r['note']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
