"""Training throughput of one global LSTM on the M4 hourly panel, on the CPU and (where CUDA
exists) on the GPU, in one run.

Run from the repository root: ``PYTHONPATH=src python benchmarks/gpu.py`` (no network; the
data come from ``../shared/data/m4-hourly-train.csv``, or ``--data``; ``--synthetic`` makes a
panel of the same shape when the file is absent). Without a GPU it measures the CPU, says that
no GPU was found, and exits 0.

What is measured: ``Forecaster(horizon=48, hidden_size=64, ensemble=1, batch_size=512,
device=...)`` fitted for 1 and for 1 + ``--epochs`` epochs on the same series; the difference
is the steady-state cost of ``--epochs`` epochs (window building, imports and the first
epoch's warm-up cancel out). Reported: wall and CPU seconds per epoch (GPU: wall after
``torch.cuda.synchronize``), and training windows and series per second of one epoch, from CPU
seconds on the CPU (``time.process_time``: the machine may be shared) and from wall seconds on
the GPU. The CPU runs on ``--threads`` threads
(default 1, the library's default); ``--cpu-series`` bounds the CPU's share of the panel so
that the run stays short (throughput per window hardly depends on the panel's size).
bf16 autocast is measured on the GPU as well (``precision="bf16"``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "m4-hourly-train.csv"


def synthetic_hourly(series: int, length: int = 700, seed: int = 0) -> pd.DataFrame:
    """A panel shaped like M4 hourly (daily and weekly cycles, integer time index)."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    parts = []
    for i in range(series):
        level = rng.uniform(100, 10_000)
        y = level * (1 + 0.3 * np.sin(2 * np.pi * t / 24 + i) + 0.1 * np.sin(2 * np.pi * t / 168)
                     + rng.normal(0, 0.02, length))
        parts.append(pd.DataFrame({"unique_id": f"H{i + 1}", "ds": t + 1, "y": y}))
    return pd.concat(parts, ignore_index=True)


def load_panel(path: Path, synthetic: bool, series: int) -> tuple[pd.DataFrame, str]:
    if path.exists() and not synthetic:
        frame = pd.read_csv(path)
        ids = list(pd.unique(frame["unique_id"]))[:series]
        return frame[frame["unique_id"].isin(ids)].reset_index(drop=True), str(path.name)
    return synthetic_hourly(series), "synthetic M4-hourly-like panel"


def windows_of(frame: pd.DataFrame, options: dict[str, Any]) -> int:
    """Training windows of one epoch (from a 1-epoch fit's framing; the fit also warms up
    kernels, allocator and imports)."""
    from rnnforecast import Forecaster
    from rnnforecast.explain.gradients import training_windows

    fitted = Forecaster(**{**options, "epochs": 1}).fit(frame)
    x, _ = training_windows(fitted, frame, max_windows=10**9)
    return int(x.shape[0])


def time_fit(frame: pd.DataFrame, options: dict[str, Any], epochs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fit of ``epochs`` epochs."""
    import torch

    from rnnforecast import Forecaster

    forecaster = Forecaster(**{**options, "epochs": epochs})
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    wall, cpu = time.perf_counter(), time.process_time()
    forecaster.fit(frame)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(frame: pd.DataFrame, options: dict[str, Any], epochs: int) -> dict[str, Any]:
    series = int(frame["unique_id"].nunique())
    windows = windows_of(frame, options)
    wall1, cpu1 = time_fit(frame, options, 1)
    wall2, cpu2 = time_fit(frame, options, 1 + epochs)
    wall = max(wall2 - wall1, 1e-9) / epochs
    cpu = max(cpu2 - cpu1, 1e-9) / epochs
    # the CPU's rate from CPU seconds (a shared machine inflates wall time), the GPU's from
    # wall seconds (its work is not CPU time)
    seconds = cpu if options["device"] == "cpu" else wall
    return {"device": options["device"], "precision": options["precision"],
            "threads": options["threads"], "series": series, "windows": windows,
            "wall_s_per_epoch": wall, "cpu_s_per_epoch": cpu,
            "windows_per_s": windows / seconds, "series_per_s": series / seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--synthetic", action="store_true",
                        help="use a synthetic panel of the M4 hourly shape")
    parser.add_argument("--series", type=int, default=414, help="series used on the GPU")
    parser.add_argument("--cpu-series", type=int, default=24, help="series used on the CPU")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs after the first")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    import torch

    from rnnforecast import __version__

    panel, source = load_panel(args.data, args.synthetic, max(args.series, args.cpu_series))
    base = {"horizon": 48, "hidden_size": 64, "ensemble": 1, "batch_size": 512, "lr": 3e-3,
            "loss": "mae", "seed": 0}
    cpu_ids = list(pd.unique(panel["unique_id"]))[: args.cpu_series]
    runs = [measure(panel[panel["unique_id"].isin(cpu_ids)].reset_index(drop=True),
                    {**base, "device": "cpu", "precision": "fp32", "threads": args.threads},
                    args.epochs)]
    gpu_name = None
    if torch.cuda.is_available():
        gpu_name = torch.cuda.get_device_name(0)
        gpu_ids = list(pd.unique(panel["unique_id"]))[: args.series]
        gpu_panel = panel[panel["unique_id"].isin(gpu_ids)].reset_index(drop=True)
        for precision in ("fp32", "bf16"):
            runs.append(measure(gpu_panel, {**base, "device": "cuda", "precision": precision,
                                             "threads": 1}, args.epochs))
    print(f"rnnforecast {__version__}, torch {torch.__version__}, data: {source}")
    print("LSTM(64), horizon 48, batch 512; steady-state seconds per epoch "
          f"(fit of 1 + {args.epochs} epochs minus fit of 1)")
    print(f"{'device':<8} {'prec':<5} {'thr':>3} {'series':>6} {'windows':>8} "
          f"{'wall s/ep':>9} {'CPU s/ep':>9} {'windows/s':>10} {'series/s':>9}")
    for r in runs:
        print(f"{r['device']:<8} {r['precision']:<5} {r['threads']:>3} {r['series']:>6} "
              f"{r['windows']:>8} {r['wall_s_per_epoch']:>9.2f} {r['cpu_s_per_epoch']:>9.2f} "
              f"{r['windows_per_s']:>10.0f} {r['series_per_s']:>9.1f}")
    if gpu_name is None:
        print("no GPU found (torch.cuda.is_available() is False): CPU only")
    else:
        speedup = runs[1]["windows_per_s"] / runs[0]["windows_per_s"]
        print(f"GPU: {gpu_name}; fp32 GPU / CPU ({args.threads} thread) windows/s: "
              f"{speedup:.1f}x")
    if args.json is not None:
        args.json.write_text(json.dumps({"gpu": gpu_name, "runs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
