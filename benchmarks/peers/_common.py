"""Shared by the peer scripts: one thread, the data, the timing harness, the JSON result.

Only the standard library and numpy (every peer venv has numpy). A peer script imports its
library first, then runs one whole fit + forecast as a warm-up, timed on its own and
reported as ``first_fit_cpu_s`` (it pays whatever a library does on first use: torch._dynamo
imported by the first torch.optim step, numba compilation, oneDNN kernel creation), then
times ``runs`` fits + 24-step forecasts (seeds ``0 .. runs-1``) and prints one line
``@@RESULT@@ {json}`` on stdout, which benchmarks/speed.py parses (anything else the library
prints is ignored).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

MARKER = "@@RESULT@@ "
DEFAULT_DATA = "/work/shared/data/airpassengers-long.csv"


def cpu_seconds() -> float:
    """CPU seconds of this process (all its threads) plus its waited-for children."""
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", default=DEFAULT_DATA, help="long CSV: unique_id, ds, y")
    parser.add_argument("--runs", type=int, default=5, help="timed fits (seeds 0..runs-1)")
    parser.add_argument("--train", type=int, default=120, help="training months")
    parser.add_argument("--horizon", type=int, default=24)
    return parser.parse_args()


def load(path: str) -> tuple[list[str], np.ndarray]:
    """Dates (ISO strings) and values of the single series in the long CSV."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["ds"][:10] for r in rows], np.array([float(r["y"]) for r in rows])


def set_torch_threads() -> None:
    """One intra-op and one inter-op thread (call after importing the library)."""
    import torch

    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # already set, or inter-op work started
        torch.set_num_interop_threads(1)


def timed_runs(
    fit_predict: Callable[[int], Any], runs: int
) -> list[dict[str, Any]]:
    """Time ``fit_predict(seed)`` for seeds 0..runs-1; each returns the 24 forecast values."""
    out = []
    for seed in range(runs):
        wall, cpu = time.perf_counter(), cpu_seconds()
        forecast = fit_predict(seed)
        cpu, wall = cpu_seconds() - cpu, time.perf_counter() - wall
        values = [float(v) for v in np.asarray(forecast, dtype=np.float64).ravel()]
        out.append({"seed": seed, "cpu_s": cpu, "wall_s": wall, "forecast": values})
    return out


def dynamo_loaded() -> bool:
    """Whether torch._dynamo is already imported (torch.optim imports it on first use)."""
    return "torch._dynamo" in sys.modules


def report(peer: str, versions: dict[str, str], settings: dict[str, Any],
           runs: list[dict[str, Any]], **extra: Any) -> None:
    result = {"peer": peer, "versions": versions, "settings": settings, "runs": runs, **extra}
    sys.stdout.flush()
    print(MARKER + json.dumps(result, default=str), flush=True)
