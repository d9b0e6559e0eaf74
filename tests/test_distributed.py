"""Data-parallel training: ``torchrun --standalone --nproc-per-node 2 -m rnnforecast fit``
(two CPU processes over gloo, no network) gives the model of a one-process fit with the same
global batch, to float rounding; only rank 0 writes; a checkpointed 2-process fit resumes.

The launcher picks a free port itself (--standalone); every run has a timeout, and the ranks'
collectives one too (RNNFORECAST_DIST_TIMEOUT), so a hang fails instead of blocking CI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from rnnforecast import ConfigError, Forecaster
from rnnforecast.training.distributed import DataParallelShard, Distributed, distributed_context

# several shuffled batches per epoch (batch 64 of ~330 windows), two members (per-member
# clipping of the all-reduced gradient), early-stopping validation on every rank
OPTIONS = {"horizon": 6, "epochs": 3, "batch_size": 64, "ensemble": 2, "hidden_size": 8,
           "patience": 5, "clip": 0.05}


def panel(n_series: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    parts = []
    for i in range(n_series):
        n = 60 + 7 * i
        t = np.arange(n)
        y = 50 + 10 * np.sin(2 * np.pi * t / 12 + i) + 0.3 * t + rng.normal(0, 1, n)
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "y": y,
                                   "ds": pd.date_range("2000-01", periods=n, freq="MS")}))
    return pd.concat(parts, ignore_index=True)[["unique_id", "ds", "y"]]


def torchrun(nproc: int, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RNNFORECAST_DIST_TIMEOUT": "60", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc-per-node={nproc}", "-m", "rnnforecast", "fit", *args]
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
    assert done.returncode == 0, "\n".join(errors) or done.stderr[-3000:]
    return done


def cli_options(folder: Path) -> list[str]:
    """The options as a --config file (--patience has no flag of its own)."""
    (folder / "options.toml").write_text("".join(f"{k} = {v}\n" for k, v in OPTIONS.items()))
    return ["--config", "options.toml"]


def assert_same_model(a: Forecaster, b: Forecaster) -> None:
    assert list(a.series_) == list(b.series_)
    assert [s.to_json() for s in a.series_.values()] == [s.to_json() for s in b.series_.values()]
    assert a.settings_ == b.settings_ and a.lookback_ == b.lookback_
    for (name, x), (_, y) in zip(a.net_.state_dict().items(), b.net_.state_dict().items(),
                                 strict=True):
        torch.testing.assert_close(x, y, rtol=1e-4, atol=1e-5, msg=name)
    np.testing.assert_allclose(a.history_["train_loss"], b.history_["train_loss"], rtol=1e-4)
    np.testing.assert_allclose(a.history_["val_loss"], b.history_["val_loss"], rtol=1e-4)
    np.testing.assert_allclose(a.predict()["lstm"], b.predict()["lstm"], rtol=1e-5)


def test_two_gloo_processes_train_the_one_process_model(tmp_path: Path) -> None:
    panel().to_csv(tmp_path / "panel.csv", index=False)
    # a data-parallel fit trains the network only (no guard: forecaster/guard.py)
    single = Forecaster(**OPTIONS, device="cpu", guard=False).fit(tmp_path / "panel.csv")
    assert single.history_["clipped"][0] > 0  # clipping acts: it must see the global gradient
    torchrun(2, "panel.csv", "--save", "two.rnnf", "--checkpoint", "ckpt",
             *cli_options(tmp_path), cwd=tmp_path)
    # rank 0 alone wrote the model and the checkpoint (no temporary files left behind)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["ckpt", "options.toml", "panel.csv", "two.rnnf"]
    assert [p.name for p in (tmp_path / "ckpt").iterdir()] == ["checkpoint.rnnf"]
    assert_same_model(single, Forecaster.load(tmp_path / "two.rnnf"))


@pytest.mark.slow
def test_killed_two_process_fit_resumes_bit_for_bit(tmp_path: Path) -> None:
    """SIGKILL the whole 2-process job after some epochs, resume it with --resume: the
    result is the uninterrupted 2-process model, bit for bit."""
    from rnnforecast.training.checkpoint import saved_epoch

    options = {**OPTIONS, "epochs": 60}
    del options["patience"]
    panel().to_csv(tmp_path / "panel.csv", index=False)
    (tmp_path / "options.toml").write_text("".join(f"{k} = {v}\n" for k, v in options.items()))
    args = ["panel.csv", "--checkpoint", "ckpt", "--config", "options.toml"]
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           "--nproc-per-node=2", "-m", "rnnforecast", "fit", *args, "--save", "m.rnnf"]
    env = {**os.environ, "RNNFORECAST_DIST_TIMEOUT": "60", "OMP_NUM_THREADS": "1"}
    job = subprocess.Popen(cmd, cwd=tmp_path, env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while (saved_epoch(tmp_path / "ckpt") or 0) < 3 and job.poll() is None:
            assert time.monotonic() < deadline, "no checkpoint written"
            time.sleep(0.02)
    finally:  # the workers run in sessions of their own: kill them first, by id
        for pid in _children(job.pid):
            os.kill(pid, signal.SIGKILL)
        os.killpg(job.pid, signal.SIGKILL)
        job.wait(timeout=60)
    done = saved_epoch(tmp_path / "ckpt")
    assert done is not None and 3 <= done < 60, done  # killed mid-fit, a checkpoint kept
    assert not (tmp_path / "m.rnnf").exists()
    torchrun(2, *args, "--save", "m.rnnf", "--resume", cwd=tmp_path)
    (tmp_path / "ckpt").rename(tmp_path / "ckpt-killed")
    torchrun(2, *args, "--save", "whole.rnnf", cwd=tmp_path)
    resumed = Forecaster.load(tmp_path / "m.rnnf")
    whole = Forecaster.load(tmp_path / "whole.rnnf")
    for x, y in zip(whole.net_.state_dict().values(), resumed.net_.state_dict().values(),
                    strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=0)


def _children(pid: int) -> list[int]:
    """The ids of a process's direct children (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(t) for t in text]
    return found


def test_not_distributed_without_torchrun(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert distributed_context() is None


def test_blocks_cover_the_sorted_series_once() -> None:
    ids = [f"s{i}" for i in (3, 0, 6, 1, 5, 2, 4)]
    blocks = [Distributed(r, 3, torch.device("cpu")).block(ids) for r in range(3)]
    assert [i for b in blocks for i in b] == sorted(ids)
    assert [len(b) for b in blocks] == [2, 2, 3]
    with pytest.raises(ConfigError, match="at most 7 processes"):
        Distributed(0, 8, torch.device("cpu")).block(ids)


def test_shard_owns_its_range_of_global_windows() -> None:
    shard = DataParallelShard(Distributed(1, 2, torch.device("cpu")), offset=5, n_local=3,
                              total=9, val_total=2)
    idx = torch.tensor([8, 0, 5, 7, 4, 6])
    assert shard.local_index(idx).tolist() == [0, 2, 1]


SPLIT_SCRIPT = """
import os, sys
import pandas as pd
from rnnforecast import Forecaster
frame = pd.read_csv("panel.csv", parse_dates=["ds"])
ids = sorted(frame["unique_id"].unique())
rank = int(os.environ["RANK"])
mine = ids[:3] if rank == 0 else ids[3:]   # each process gets its own disjoint part
fitted = Forecaster(**OPTIONS).fit(frame[frame["unique_id"].isin(mine)])
if rank == 0:
    fitted.save("split.rnnf")
"""


@pytest.mark.slow
def test_python_api_with_data_already_split_by_process(tmp_path: Path) -> None:
    panel().to_csv(tmp_path / "panel.csv", index=False)
    (tmp_path / "split.py").write_text(f"OPTIONS = {OPTIONS!r}\n{SPLIT_SCRIPT}")
    env = {**os.environ, "RNNFORECAST_DIST_TIMEOUT": "60", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                           "--nproc-per-node=2", "split.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    frame = pd.read_csv(tmp_path / "panel.csv", parse_dates=["ds"])  # as the script reads it
    single = Forecaster(**OPTIONS, device="cpu", guard=False).fit(frame)  # no guard on torchrun
    assert_same_model(single, Forecaster.load(tmp_path / "split.rnnf"))
