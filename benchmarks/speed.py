"""Speed of rnnforecast against its peers, the CPU's limits and a bare PyTorch loop (issue 7).

Run from the repository root with the main venv: ``.venv/bin/python benchmarks/speed.py``
(peers: ``bash benchmarks/setup_peers.sh`` first; see benchmarks/README.md). Sections:

1. AirPassengers hold-out (train 1949-01..1958-12, forecast 24 months in one go): CPU seconds
   of fit + 24-step forecast, imports and warm-up excluded, median over seeds 0..runs-1, for
   rnnforecast's default ``Forecaster(model="lstm", horizon=24)`` and its peers (darts
   BlockRNNModel LSTM, neuralforecast LSTM, Keras 3 LSTM on torch, statsforecast AutoETS on
   log y, a bare PyTorch reference), each peer in its own venv as a subprocess with one
   thread; MASE scaled by the in-sample seasonal-naive MAE (m = 12). rnnforecast's first fit
   in a fresh process (imports done, nothing warmed) is reported on its own.
2. Throughput: a global 2-layer LSTM (hidden 64/128, window 24/48, batch 256) trained by
   ``rnnforecast.training.train`` and by a bare hand-written loop (nn.LSTM + Linear,
   torch.optim.Adam, clip_grad_norm_), same model, batches and steps: CPU seconds per epoch,
   training windows/s and GFLOP/s against the float32 matmul peak measured in this run.
3. Cold start: CPU seconds (children's rusage) of ``python -c "import rnnforecast"``,
   ``rnnforecast --help``, ``rnnforecast demo`` and ``rnnforecast info`` of the default
   AirPassengers model (beside ``python -c pass``, the interpreter floor).

All timings are CPU seconds (``time.process_time``; ``getrusage(RUSAGE_CHILDREN)`` deltas for
child processes): the machine is shared, so wall times are only upper bounds. Ratios are
between figures measured in the same run. ``--quick``: 3 runs, fewer steps, peers that are
not installed skipped silently; ``--skip-peers``: rnnforecast and the bare reference only.
"""

from __future__ import annotations

import os

USER_ENV = dict(os.environ)  # what a user's shell gives the cold-start commands
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS_DIR = HERE / "peers"
VENVS = HERE / ".venvs"
MAIN_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin" / "python").exists() \
    else Path(sys.executable).parent
MARKER = "@@RESULT@@ "
TRAIN, HORIZON, SEASON = 120, 24, 12
NOT_INSTALLED = "not installed (run benchmarks/setup_peers.sh)"

# name, script, venv ("main" = this project's venv), what it is
PEERS: list[tuple[str, str, str, str]] = [
    ("rnnforecast", "rnnforecast_peer.py", "main", "Forecaster(model='lstm', horizon=24)"),
    ("torch_reference", "torch_reference.py", "main", "bare PyTorch LSTM(32), ANCHORS.md"),
    ("darts", "darts_peer.py", "darts", "BlockRNNModel(model='LSTM')"),
    ("neuralforecast", "neuralforecast_peer.py", "neuralforecast", "LSTM"),
    ("keras", "keras_peer.py", "keras", "Keras 3 LSTM, torch backend"),
    ("statsforecast", "statsforecast_peer.py", "statsforecast", "AutoETS on log(y)"),
]

TARGETS = {
    "fit_predict_s": 1.2, "vs_reference": 0.5, "vs_darts": 1 / 10, "vs_neuralforecast": 1 / 30,
    "import_s": 0.8, "help_s": 0.5, "demo_s": 5.0, "efficiency": 0.5, "loop_overhead": 0.10,
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("MET" if ok else "NOT MET")


# --------------------------------------------------------------------------- section 1

def peer_python(venv: str) -> Path:
    return MAIN_BIN / "python" if venv == "main" else VENVS / venv / "bin" / "python"


def peer_env() -> dict[str, str]:
    env = dict(os.environ)  # thread variables already set to 1
    env["KERAS_BACKEND"] = "torch"
    env["PYTHONWARNINGS"] = "ignore"
    env["TQDM_DISABLE"] = "1"
    return env


def run_peer(script: str, venv: str, data: Path, runs: int, workdir: Path,
             extra: tuple[str, ...] = (), timeout: float = 1800) -> dict[str, Any]:
    """Run one peer script in its venv; its JSON result, or {"error": ...}."""
    python = peer_python(venv)
    if not python.exists():
        return {"error": NOT_INSTALLED}
    cmd = [str(python), str(PEERS_DIR / script), "--data", str(data), "--runs", str(runs),
           "--train", str(TRAIN), "--horizon", str(HORIZON), *extra]
    try:
        proc = subprocess.run(cmd, cwd=workdir, env=peer_env(), capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    missing = any("ModuleNotFoundError" in t for t in tail)
    return {"error": NOT_INSTALLED if missing else f"failed (exit {proc.returncode}): "
            + " | ".join(tail)}


def mase_of(forecast: np.ndarray, y: np.ndarray) -> float:
    train, test = y[:TRAIN], y[TRAIN:TRAIN + HORIZON]
    scale = np.mean(np.abs(train[SEASON:] - train[:-SEASON]))
    return float(np.mean(np.abs(np.asarray(forecast) - test)) / scale)


def airpassengers(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from rnnforecast import load_dataset

    frame = load_dataset("airpassengers")
    y = frame["y"].to_numpy(dtype=np.float64)
    data = workdir / "airpassengers.csv"
    frame.assign(ds=frame["ds"].dt.strftime("%Y-%m-%d")).to_csv(data, index=False)
    results: dict[str, Any] = {}
    # The cheap peers of the main venv run before and after the others (their runs pooled),
    # so that a change in the machine's load during the slow peers biases no ratio.
    cheap = [p for p in PEERS if p[2] == "main"]
    others = [p for p in PEERS if p[2] != "main" and not args.skip_peers]
    first = []
    for name, script, venv, what in [*cheap, *others, *cheap]:
        if args.quick and not peer_python(venv).exists():
            continue
        log(f"[airpassengers] {name} ({args.runs} runs) ...")
        out = run_peer(script, venv, data, args.runs, workdir)
        out["what"] = what
        for run in out.get("runs", []):
            run["mase"] = mase_of(np.array(run["forecast"]), y)
        if name == "rnnforecast" and "first_fit_cpu_s" in out:
            first.append(out["first_fit_cpu_s"])
        prev = results.get(name)
        if prev is not None and "runs" in prev and "runs" in out:  # second round: pool
            prev["runs"] += out["runs"]
            prev["first_fits_cpu_s"].append(out.get("first_fit_cpu_s"))
        elif prev is None or "runs" in out:  # first round, or the first round failed
            out["first_fits_cpu_s"] = [out.get("first_fit_cpu_s")]
            results[name] = out
    # rnnforecast's first fit in a fresh process: median over several processes
    main = results.get("rnnforecast", {})
    for _ in range(args.runs - len(first)):
        out = run_peer("rnnforecast_peer.py", "main", data, 0, workdir, ("--first-only",))
        if "first_fit_cpu_s" in out:
            first.append(out["first_fit_cpu_s"])
    main["first_fit_runs_cpu_s"] = first
    # no-network references on the same split, for reading the MASE column
    train = y[:TRAIN]
    snaive = np.tile(train[-SEASON:], HORIZON // SEASON + 1)[:HORIZON]
    logs = np.log(train)
    drift = np.mean(logs[SEASON:] - logs[:-SEASON])
    sdrift = np.exp(np.log(snaive) + drift * (np.arange(HORIZON) // SEASON + 1))
    results["_baselines"] = {"seasonal naive": mase_of(snaive, y),
                             "seasonal drift on log y (no network)": mase_of(sdrift, y)}
    return results


def summarize_peer(out: dict[str, Any]) -> dict[str, float]:
    runs = out.get("runs", [])
    cpu = [r["cpu_s"] for r in runs]
    mases = [r["mase"] for r in runs]
    return {
        "cpu": median(cpu), "cpu_min": min(cpu, default=math.nan),
        "cpu_max": max(cpu, default=math.nan), "wall": median([r["wall_s"] for r in runs]),
        "mase": float(np.mean(mases)) if mases else math.nan,
        "mase_sd": float(np.std(mases, ddof=1)) if len(mases) > 1 else math.nan,
        "mase_max": max(mases, default=math.nan), "n": len(runs),
    }


def print_airpassengers(results: dict[str, Any]) -> dict[str, Any]:
    print("\n## 1. AirPassengers hold-out: fit + 24-step forecast\n")
    print("Train 1949-01..1958-12 (120 months), forecast 1959-01..1960-12 in one go. CPU s = "
          "median over seeds 0..4 of fit + forecast in the peer's own process (imports and "
          "a first, warm-up fit outside the timing), one thread; rnnforecast and the bare "
          "reference ran twice, before and after the other peers (n = 10, seeds 0..4 twice). "
          "MASE: mean (sd, worst) over the runs. CPU / rnnforecast: peer's CPU s / "
          "rnnforecast's.\n")
    base = summarize_peer(results.get("rnnforecast", {}))
    rows = ["| peer | model | version | n | CPU s (min-max) | wall s | MASE mean (sd, max) "
            "| CPU / rnnforecast | first fit CPU s |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    summary: dict[str, Any] = {}
    for name, _, _, what in PEERS:
        if name not in results:
            continue
        out = results[name]
        if "error" in out:
            rows.append(f"| {name} | {what} | | | {out['error']} | | | | |")
            continue
        s = summarize_peer(out)
        summary[name] = s
        version = out.get("versions", {}).get(name, out.get("versions", {}).get("torch", ""))
        ratio = s["cpu"] / base["cpu"] if base["n"] else math.nan
        rows.append(
            f"| {name} | {what} | {version} | {s['n']} | {fmt(s['cpu'])} "
            f"({fmt(s['cpu_min'])}-{fmt(s['cpu_max'])}) | {fmt(s['wall'])} | "
            f"{fmt(s['mase'], 3)} ({fmt(s['mase_sd'], 3)}, {fmt(s['mase_max'], 3)}) | "
            f"{fmt(ratio, 2)}x | "
            + ", ".join(fmt(v) for v in out.get("first_fits_cpu_s", []) if v is not None)
            + (" (torch._dynamo not yet imported)" if out.get("dynamo_at_import") is False
               else "") + " |")
    print("\n".join(rows))
    for label, value in results.get("_baselines", {}).items():
        print(f"\nNo-network reference, {label}: MASE {value:.3f}", end="")
    print()
    main = results.get("rnnforecast", {})
    if "first_fit_runs_cpu_s" in main:
        first = main["first_fit_runs_cpu_s"]
        summary["rnnforecast_first_fit"] = median(first)
        print(f"\nrnnforecast's first fit + forecast in a fresh process (rnnforecast, pandas and "
              f"torch already imported, nothing warmed): median {fmt(median(first))} s CPU over "
              f"{len(first)} processes ({', '.join(fmt(v) for v in first)}); steady state "
              f"{fmt(base['cpu'])} s. Imports: rnnforecast + Forecaster "
              f"{fmt(main.get('import_rnnforecast_cpu_s', math.nan))} s, torch "
              f"{fmt(main.get('import_torch_cpu_s', math.nan))} s.")
    print("First fit CPU s: the peer's first fit + forecast in its process, after its imports "
          "(its warm-up, not in the median): it pays what a library does on first use "
          "(torch._dynamo imported by the first torch.optim step where the library's imports "
          "did not already load it, numba compilation, oneDNN kernel creation).")
    print("\nSettings per peer:")
    for name, _, _, _ in PEERS:
        out = results.get(name, {})
        if "settings" in out:
            versions = ", ".join(f"{k} {v}" for k, v in out.get("versions", {}).items())
            print(f"- {name} ({versions}): {json.dumps(out['settings'])}")
    return summary


# --------------------------------------------------------------------------- section 2

def matmul_peak(runs: int, n: int = 2048) -> dict[str, float]:
    import torch

    a = torch.randn(n, n)
    b = torch.randn(n, n)
    out = torch.empty(n, n)
    torch.mm(a, b, out=out)  # warm
    times = []
    for _ in range(max(runs, 5)):
        start = time.process_time()
        torch.mm(a, b, out=out)
        times.append(time.process_time() - start)
    t = median(times)
    return {"n": n, "cpu_s": t, "gflops": 2 * n**3 / t / 1e9}


def lstm_flops_per_window(hidden: int, layers: int, inputs: int, steps: int) -> float:
    """Forward + backward FLOPs of one window: 3 x 2*G*H*(I+H) per step per layer, G = 4."""
    per_step = sum(2 * 4 * hidden * ((inputs if layer == 0 else hidden) + hidden)
                   for layer in range(layers))
    return 3.0 * per_step * steps


def make_bare_loop(torch: Any, hidden: int, layers: int, inputs: int, outputs: int,
                   lr: float, clip: float) -> Callable[[Any, Any, int, int, Any], None]:
    """A hand-written loop as a user writes it: nn.LSTM + Linear, Adam, clip_grad_norm_."""
    lstm = torch.nn.LSTM(inputs, hidden, num_layers=layers, batch_first=True)
    head = torch.nn.Linear(hidden, outputs)
    params = [*lstm.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(params, lr=lr)

    def run(x: Any, y: Any, batch: int, epochs: int, generator: Any) -> None:
        n = x.shape[0]
        for _ in range(epochs):
            order = torch.randperm(n, generator=generator) if batch < n else None
            total = torch.zeros(())
            for start in range(0, n, batch):
                if order is None:
                    xb, yb = x, y
                else:
                    idx = order[start:start + batch]
                    xb, yb = x[idx], y[idx]
                out, _ = lstm(xb)
                loss = torch.nn.functional.mse_loss(head(out[:, -1]), yb)
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, clip)
                optimizer.step()
                total = total + loss.detach() * xb.shape[0]
            float(total)  # the epoch's loss, as a user would log it

    return run


def loop_comparison(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from rnnforecast.models import RecurrentNet
    from rnnforecast.training import TrainConfig, train

    torch.set_num_threads(1)
    peak = matmul_peak(args.runs)
    log(f"[throughput] matmul peak {peak['gflops']:.1f} GFLOP/s")
    torch.optim.Adam(torch.nn.Linear(1, 1).parameters()).step()  # torch._dynamo, outside
    steps = 4 if args.quick else 8
    configs = [
        # hidden, layers, window, batch, steps/epoch, epochs per timing, label
        (64, 2, 24, 256, steps, 1, "global"),
        (64, 2, 48, 256, steps, 1, "global"),
        (128, 2, 24, 256, steps, 1, "global"),
        (128, 2, 48, 256, steps, 1, "global"),
        (8, 1, 24, 96, 1, 100, "tiny (AirPassengers-sized, one full batch)"),
    ]
    inputs, outputs = 2, 24
    rows = []
    for hidden, layers, window, batch, n_steps, epochs, label in configs:
        log(f"[throughput] hidden {hidden}, layers {layers}, window {window}, batch {batch} ...")
        n = batch * n_steps
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(n, window, inputs, generator=gen)
        y = torch.randn(n, outputs, generator=gen)
        torch.manual_seed(0)
        net = RecurrentNet("lstm", inputs, hidden, layers, outputs, members=1)
        bare = make_bare_loop(torch, hidden, layers, inputs, outputs, 1e-3, 1.0)
        bare_gen = torch.Generator().manual_seed(0)

        def ours(seed: int, epochs: int = epochs, batch: int = batch, net: Any = net,
                 x: Any = x, y: Any = y) -> None:
            config = TrainConfig(epochs=epochs, batch_size=batch, lr=1e-3, loss="mse",
                                 clip=1.0, seed=seed, threads=1)
            train(net, x, y, config)

        ours(0)  # warm both (allocator, first-call paths)
        bare(x, y, batch, epochs, bare_gen)
        t_ours, t_bare = [], []
        for r in range(args.runs):  # interleaved, order alternating: both see the same load
            for which in ((0, 1) if r % 2 == 0 else (1, 0)):
                start = time.process_time()
                if which == 0:
                    ours(r + 1)
                    t_ours.append((time.process_time() - start) / epochs)
                else:
                    bare(x, y, batch, epochs, bare_gen)
                    t_bare.append((time.process_time() - start) / epochs)
        flops = lstm_flops_per_window(hidden, layers, inputs, window) * n
        mo, mb = median(t_ours), median(t_bare)
        rows.append({
            "label": label, "hidden": hidden, "layers": layers, "window": window,
            "batch": batch, "steps_per_epoch": n_steps, "windows_per_epoch": n,
            "epoch_cpu_s_rnnforecast": mo, "epoch_cpu_s_bare": mb, "ratio": mo / mb,
            "windows_per_s_rnnforecast": n / mo, "windows_per_s_bare": n / mb,
            "gflops_rnnforecast": flops / mo / 1e9, "gflops_bare": flops / mb / 1e9,
            "runs_rnnforecast": t_ours, "runs_bare": t_bare,
        })
    return {"peak": peak, "rows": rows}


def print_loop(result: dict[str, Any]) -> dict[str, Any]:
    peak = result["peak"]
    print("\n## 2. Training throughput and the loop's overhead\n")
    print(f"float32 matmul peak, 1 thread, torch.mm {peak['n']}x{peak['n']} (median): "
          f"**{peak['gflops']:.1f} GFLOP/s** ({peak['cpu_s']:.3f} s CPU per product).\n")
    print("LSTM FLOPs: 2*4*H*(I+H) per step per sample per layer forward, x3 for forward + "
          "backward (head, loss, clipping and Adam not counted). Inputs 2 channels, 24 "
          "outputs, synthetic pre-built tensors; rnnforecast = `rnnforecast.training.train` on "
          "`RecurrentNet(members=1)` (own Adam, per-member clipping, history); bare = nn.LSTM + "
          "Linear, torch.optim.Adam (warmed), clip_grad_norm_, same batches and steps. CPU s "
          "per epoch: median over runs, the two loops interleaved (order alternating).\n")
    print("| model | windows/epoch | rnnforecast s/epoch | bare s/epoch | ratio | rnnforecast "
          "windows/s | bare windows/s | rnnforecast GFLOP/s (% peak) | bare GFLOP/s (% peak) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in result["rows"]:
        name = (f"H{r['hidden']} L{r['layers']} T{r['window']} B{r['batch']}"
                + ("" if r["label"] == "global" else f", {r['label']}"))
        share_ours = 100 * r["gflops_rnnforecast"] / peak["gflops"]
        share_bare = 100 * r["gflops_bare"] / peak["gflops"]
        print(f"| {name} | {r['windows_per_epoch']} | {r['epoch_cpu_s_rnnforecast']:.4f} | "
              f"{r['epoch_cpu_s_bare']:.4f} | {r['ratio']:.3f} | "
              f"{r['windows_per_s_rnnforecast']:.0f} | {r['windows_per_s_bare']:.0f} | "
              f"{r['gflops_rnnforecast']:.1f} ({share_ours:.0f}%) | "
              f"{r['gflops_bare']:.1f} ({share_bare:.0f}%) |")
    return result


# --------------------------------------------------------------------------- section 3

def cold_start(args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    python = str(MAIN_BIN / "python")
    cli = str(MAIN_BIN / "rnnforecast")
    env = dict(USER_ENV)  # a user's environment: no thread variables forced
    env["COLUMNS"] = "100"
    commands: list[tuple[str, Callable[[int], list[str]]]] = [
        ("python -c pass (interpreter floor)", lambda i: [python, "-c", "pass"]),
        ('python -c "import torch" (reference)', lambda i: [python, "-c", "import torch"]),
        ('python -c "import rnnforecast"', lambda i: [python, "-c", "import rnnforecast"]),
        ("rnnforecast --help", lambda i: [cli, "--help"]),
        ("rnnforecast demo --out <tmpdir>", lambda i: [cli, "demo", "--out",
                                                        str(workdir / f"demo{i}")]),
        ("rnnforecast info <AirPassengers model>", lambda i: [cli, "info", str(model)]),
    ]
    model = workdir / "air.rnnf"  # the model `info` describes: the default AirPassengers fit
    from rnnforecast import Forecaster, load_dataset

    Forecaster(horizon=24).fit(load_dataset("airpassengers").iloc[:120]).save(model)
    rows = []
    for label, make in commands:
        log(f"[cold start] {label} ...")
        cpus, walls, failed = [], [], ""
        for i in range(max(args.runs, 5) if not args.quick else args.runs):
            before, wall = children_cpu(), time.perf_counter()
            proc = subprocess.run(make(i), cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, check=False)
            walls.append(time.perf_counter() - wall)
            cpus.append(children_cpu() - before)
            if proc.returncode != 0:
                failed = proc.stderr.decode(errors="replace").strip().splitlines()[-1:]
                break
        rows.append({"command": label, "cpu_s": median(cpus), "runs": cpus,
                     "wall_s": median(walls), "error": failed})
    return rows


def print_cold(rows: list[dict[str, Any]]) -> None:
    print("\n## 3. Cold start (main venv, the user's environment)\n")
    print("CPU s = user + system time of the child process (getrusage(RUSAGE_CHILDREN) "
          "deltas), median.\n")
    print("| command | CPU s | wall s | runs |")
    print("|---|---:|---:|---|")
    for r in rows:
        runs = ", ".join(f"{v:.2f}" for v in r["runs"])
        err = f" FAILED: {r['error']}" if r["error"] else ""
        print(f"| {r['command']} | {r['cpu_s']:.2f} | {r['wall_s']:.2f} | {runs}{err} |")


# --------------------------------------------------------------------------- targets

def print_targets(peers: dict[str, Any], loop: dict[str, Any] | None,
                  cold: list[dict[str, Any]] | None) -> None:
    print("\n## Targets (issue 7)\n")
    print("| target | measured | |")
    print("|---|---|---|")
    ours = peers.get("rnnforecast")

    def line(target: str, measured: str, ok: bool | None) -> None:
        print(f"| {target} | {measured} | {verdict(ok)} |")

    if ours:
        cpu, mase = ours["cpu"], ours["mase"]
        line("AirPassengers fit + predict <= 1.2 s CPU",
             f"{cpu:.2f} s (first fit in a process "
             f"{fmt(peers.get('rnnforecast_first_fit', math.nan))} s)",
             cpu <= TARGETS["fit_predict_s"])
        for name, limit, text in (("torch_reference", TARGETS["vs_reference"], "0.5x"),
                                  ("darts", TARGETS["vs_darts"], "1/10"),
                                  ("neuralforecast", TARGETS["vs_neuralforecast"], "1/30")):
            other = peers.get(name)
            owner = {"torch_reference": "the bare reference's", "darts": "darts'"}.get(
                name, f"{name}'s")
            if not other:
                line(f"<= {text} of {owner} time, MASE <= its", "not measured", None)
                continue
            ratio = cpu / other["cpu"]
            ok_time, ok_mase = ratio <= limit, mase <= other["mase"]
            line(f"<= {text} of {owner} time, MASE <= its",
                 f"{cpu:.2f} / {other['cpu']:.2f} s = {ratio:.3f} (1/{1 / ratio:.1f}); MASE "
                 f"{mase:.3f} vs {other['mase']:.3f}", ok_time and ok_mase)
    if cold:
        by = {r["command"]: r for r in cold}
        for key, limit in (('python -c "import rnnforecast"', TARGETS["import_s"]),
                           ("rnnforecast --help", TARGETS["help_s"]),
                           ("rnnforecast demo --out <tmpdir>", TARGETS["demo_s"])):
            if key in by:
                r = by[key]
                line(f"{key} <= {limit} s CPU", f"{r['cpu_s']:.2f} s",
                     r["cpu_s"] <= limit and not r["error"])
    if loop:
        peak = loop["peak"]["gflops"]
        for r in loop["rows"]:
            if r["hidden"] == 128 and r["batch"] == 256:
                line(f">= 50% of matmul peak, H128 L2 T{r['window']} B256",
                     f"rnnforecast {r['gflops_rnnforecast']:.1f} GFLOP/s = "
                     f"{100 * r['gflops_rnnforecast'] / peak:.0f}% (bare "
                     f"{100 * r['gflops_bare'] / peak:.0f}%) of {peak:.1f}",
                     r["gflops_rnnforecast"] >= TARGETS["efficiency"] * peak)
        for r in loop["rows"]:
            extra = "" if r["label"] == "global" else " (extra row, not the issue's model)"
            line(f"loop within 10% of bare, H{r['hidden']} L{r['layers']} T{r['window']} "
                 f"B{r['batch']}{extra}", f"{r['ratio']:.3f}x",
                 r["ratio"] <= 1 + TARGETS["loop_overhead"])


# --------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="3 runs, fewer steps; skip peers that are not installed")
    parser.add_argument("--skip-peers", action="store_true",
                        help="AirPassengers: rnnforecast and the bare reference only")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 5)")
    parser.add_argument("--sections", default="airpassengers,throughput,coldstart",
                        help="comma-separated subset of airpassengers,throughput,coldstart")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    args = parser.parse_args()
    args.runs = args.runs or (3 if args.quick else 5)
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}

    import torch

    torch.set_num_threads(1)
    print("# rnnforecast speed benchmark\n")
    print(f"{time.strftime('%Y-%m-%d %H:%M')}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores; Python {platform.python_version()}, torch "
          f"{torch.__version__}, one thread; {args.runs} runs per figure"
          + (" (--quick)" if args.quick else "") + ". CPU seconds throughout.")
    raw: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    peers: dict[str, Any] = {}
    loop = cold = None
    with tempfile.TemporaryDirectory(prefix="rnnforecast-speed-") as tmp:
        workdir = Path(tmp)
        if "airpassengers" in sections:
            results = airpassengers(args, workdir)
            raw["airpassengers"] = results
            peers = print_airpassengers(results)
        if "throughput" in sections:
            loop = loop_comparison(args)
            raw["throughput"] = loop
            print_loop(loop)
        if "coldstart" in sections:
            cold = cold_start(args, workdir)
            raw["coldstart"] = cold
            print_cold(cold)
        shutil.rmtree(workdir / "lightning_logs", ignore_errors=True)
    print_targets(peers, loop, cold)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1, default=str))


if __name__ == "__main__":
    main()
