"""Checkpoints and resume: a fit interrupted at any point (an exception, SIGKILL, Ctrl-C) and
resumed ends with the same weights and forecast, bit for bit, as one never interrupted; a
checkpoint of other settings or data is refused; nothing in it is ever unpickled."""

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
from typer.testing import CliRunner

from rnnforecast import ConfigError, Forecaster, ModelFileError
from rnnforecast.cli import app
from rnnforecast.io import read_model_file
from rnnforecast.io.modelfile import MAGIC
from rnnforecast.training import checkpoint as checkpoint_module
from rnnforecast.training.checkpoint import CHECKPOINT_FILE, Checkpoint, saved_epoch
from rnnforecast.training.optim import Adam

torch.set_num_threads(1)

SMALL = {"horizon": 6, "hidden_size": 4, "epochs": 10, "ensemble": 2}
# every part of the state matters here: shuffled batches (generator), dropout between two
# layers (torch's global generator), early stopping (best weights and losses per member)
SETTINGS = [
    pytest.param({**SMALL, "batch_size": 32}, id="shuffled-batches"),
    pytest.param({**SMALL, "batch_size": 32, "num_layers": 2, "dropout": 0.3, "model": "gru"},
                 id="dropout"),
    pytest.param({**SMALL, "epochs": 30, "lr": 0.05, "patience": 3}, id="early-stopping"),
]


@pytest.fixture(scope="module")
def air(core_air_train: pd.DataFrame) -> pd.DataFrame:
    return core_air_train


def assert_same_fit(a: Forecaster, b: Forecaster) -> None:
    sa, sb = a.net_.state_dict(), b.net_.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key
    assert a.history_.keys() == b.history_.keys()
    for key in a.history_:
        assert np.array_equal(a.history_[key], b.history_[key], equal_nan=True), key
    assert (a.stop_reason_, a.best_epoch_) == (b.stop_reason_, b.best_epoch_)
    pd.testing.assert_frame_equal(a.predict(), b.predict(), check_exact=True)


def interrupt_after(monkeypatch: pytest.MonkeyPatch, epoch: int) -> None:
    """Make the fit stop (KeyboardInterrupt) right after the checkpoint of ``epoch``."""
    real = Checkpoint.save

    def save_then_stop(self: Checkpoint, state: checkpoint_module.TrainState) -> None:
        real(self, state)
        if state.result.stopped_epoch == epoch:
            raise KeyboardInterrupt

    monkeypatch.setattr(Checkpoint, "save", save_then_stop)


# ------------------------------------------------------------------ Python API


@pytest.mark.parametrize("params", SETTINGS)
def test_interrupted_and_resumed_fit_equals_an_uninterrupted_one(
        params: dict[str, object], air: pd.DataFrame, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    reference = Forecaster(**params).fit(air)  # type: ignore[arg-type]
    with monkeypatch.context() as patch:
        interrupt_after(patch, 4)
        with pytest.raises(KeyboardInterrupt):
            Forecaster(**params).fit(air, checkpoint=tmp_path)  # type: ignore[arg-type]
    assert saved_epoch(tmp_path) == 4
    resumed = Forecaster(**params).fit(air, checkpoint=tmp_path, resume=True)  # type: ignore[arg-type]
    assert_same_fit(reference, resumed)
    assert saved_epoch(tmp_path) == len(reference.history_["train_loss"])
    # resuming a finished fit trains nothing and gives the same model again
    again = Forecaster(**params).fit(air, checkpoint=tmp_path, resume=True)  # type: ignore[arg-type]
    assert_same_fit(reference, again)


def test_a_checkpointed_fit_equals_a_plain_one(air: pd.DataFrame, tmp_path: Path) -> None:
    plain = Forecaster(**SMALL).fit(air)
    saved = Forecaster(**SMALL).fit(air, checkpoint=tmp_path / "new" / "folder")
    assert_same_fit(plain, saved)
    assert sorted(p.name for p in (tmp_path / "new" / "folder").iterdir()) == [CHECKPOINT_FILE]


def test_resume_with_no_checkpoint_yet_starts_from_the_first_epoch(
        air: pd.DataFrame, tmp_path: Path) -> None:
    fresh = Forecaster(**SMALL).fit(air, checkpoint=tmp_path, resume=True)
    assert_same_fit(Forecaster(**SMALL).fit(air), fresh)


def test_the_checkpoint_is_a_model_format_file_with_the_whole_state(
        air: pd.DataFrame, tmp_path: Path) -> None:
    Forecaster(**SMALL, dropout=0.1, num_layers=2).fit(air, checkpoint=tmp_path)
    path = tmp_path / CHECKPOINT_FILE
    assert path.read_bytes().startswith(MAGIC)  # JSON + raw tensors: no pickle anywhere
    meta, tensors = read_model_file(path)
    assert meta["kind"] == "rnnforecast-checkpoint" and meta["epoch"] == SMALL["epochs"]
    assert meta["stop_reason"] == "epochs"
    assert len(meta["history"]["train_loss"]) == SMALL["epochs"]
    assert meta["fingerprint"]["settings"]["hidden_size"] == 4
    assert "quiet" not in meta["fingerprint"]["settings"]
    assert len(meta["fingerprint"]["data_sha256"]) == 64
    assert tensors["generator"].dtype == np.uint8 and tensors["torch_rng"].dtype == np.uint8
    assert int(tensors["optim.step"]) == SMALL["epochs"]  # full batch: one step per epoch
    names = {k.split(".")[0] for k in tensors}
    assert names == {"net", "optim", "best", "best_loss", "best_epoch", "generator",
                     "torch_rng"}
    assert (path.stat().st_mode & 0o777) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ------------------------------------------------------------------- refusals


def test_an_existing_checkpoint_is_never_overwritten_without_resume(
        air: pd.DataFrame, tmp_path: Path) -> None:
    Forecaster(**SMALL).fit(air, checkpoint=tmp_path)
    before = (tmp_path / CHECKPOINT_FILE).read_bytes()
    with pytest.raises(ConfigError, match=r"already holds the checkpoint of a fit \(epoch 10\).*"
                                          r"resume=True \(--resume\)"):
        Forecaster(**SMALL).fit(air, checkpoint=tmp_path)
    assert (tmp_path / CHECKPOINT_FILE).read_bytes() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [({"lr": 0.02}, r"lr None -> 0\.02"),
     ({"hidden_size": 5}, r"hidden_size 4 -> 5"),
     ({"data": "other"}, r"other training data")],
    ids=["lr", "hidden_size", "data"],
)
def test_resume_refuses_a_checkpoint_of_other_settings_or_data(
        air: pd.DataFrame, tmp_path: Path, change: dict[str, object], message: str) -> None:
    Forecaster(**SMALL).fit(air, checkpoint=tmp_path)
    params = {**SMALL, **{k: v for k, v in change.items() if k != "data"}}
    data = air.iloc[:-1] if "data" in change else air
    with pytest.raises(ConfigError, match=r"written by a fit with other settings or data.*"
                                          + message + r".*same data and settings"):
        Forecaster(**params).fit(data, checkpoint=tmp_path, resume=True)  # type: ignore[arg-type]


def test_resume_needs_a_folder_and_a_folder_is_not_a_file(
        air: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"resume=True needs checkpoint=<folder>"):
        Forecaster(**SMALL).fit(air, resume=True)
    with pytest.raises(ConfigError, match=r"resume='yes' is invalid"):
        Forecaster(**SMALL).fit(air, checkpoint=tmp_path, resume="yes")  # type: ignore[arg-type]
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ConfigError, match=r"is a file: give a folder"):
        Forecaster(**SMALL).fit(air, checkpoint=a_file)


def test_corrupted_or_foreign_checkpoints_are_refused(air: pd.DataFrame, tmp_path: Path) -> None:
    Forecaster(**SMALL).fit(air, checkpoint=tmp_path)
    path = tmp_path / CHECKPOINT_FILE
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ModelFileError, match=r"truncated"):
        Forecaster(**SMALL).fit(air, checkpoint=tmp_path, resume=True)
    Forecaster(**SMALL).fit(air).save(path)  # a model file is not a checkpoint
    with pytest.raises(ModelFileError, match=r"not an rnnforecast training checkpoint"):
        Forecaster(**SMALL).fit(air, checkpoint=tmp_path, resume=True)


def test_a_checkpoint_of_another_network_shape_is_refused(tmp_path: Path) -> None:
    torch.manual_seed(0)
    from rnnforecast.models import RecurrentNet
    from rnnforecast.training import TrainConfig, train

    x, y = torch.randn(20, 5, 2), torch.randn(20, 1)
    train(RecurrentNet("gru", 2, 4, 1, 1), x, y, TrainConfig(epochs=2),
          checkpoint=Checkpoint(tmp_path))
    with pytest.raises(ModelFileError, match=r"does not fit this model"):
        train(RecurrentNet("gru", 2, 5, 1, 1), x, y, TrainConfig(epochs=2),
              checkpoint=Checkpoint(tmp_path, resume=True))


def test_a_killed_writer_leaves_a_temporary_file_that_resume_removes(
        air: pd.DataFrame, tmp_path: Path) -> None:
    Forecaster(**SMALL).fit(air, checkpoint=tmp_path)
    stale = tmp_path / f".{CHECKPOINT_FILE}.abc123.tmp"
    stale.write_bytes(b"half a checkpoint")
    Forecaster(**SMALL).fit(air, checkpoint=tmp_path, resume=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [CHECKPOINT_FILE]


def test_adam_state_round_trip_and_mismatch() -> None:
    p = torch.ones(3, requires_grad=True)
    opt = Adam([p], lr=0.1)
    p.grad = torch.tensor([1.0, -2.0, 3.0])
    opt.step()
    other = Adam([torch.zeros(3, requires_grad=True)], lr=0.1)
    other.load_state_tensors({k: v.clone() for k, v in opt.state_tensors().items()})
    for key, value in opt.state_tensors().items():
        assert torch.equal(value, other.state_tensors()[key]), key
    with pytest.raises(ValueError, match="shape"):
        Adam([torch.zeros(4)]).load_state_tensors(opt.state_tensors())
    with pytest.raises(ValueError, match="does not match"):
        Adam([torch.zeros(3), torch.zeros(3)]).load_state_tensors(opt.state_tensors())


# ------------------------------------------------------------------ command line


def test_cli_checkpoint_options(tmp_path: Path) -> None:
    data = tmp_path / "air.csv"
    _air_csv(data)
    runner = CliRunner()
    base = ["fit", str(data), "--horizon", "6", "--epochs", "3", "--hidden-size", "4",
            "--ensemble", "1", "--save", str(tmp_path / "m.rnnf")]
    result = runner.invoke(app, [*base, "--resume"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: --resume needs --checkpoint DIR: the folder of the fit to continue"]
    folder = str(tmp_path / "ck")
    assert runner.invoke(app, [*base, "--checkpoint", folder]).exit_code == 0
    again = runner.invoke(app, [*base, "--checkpoint", folder])
    assert again.exit_code == 2 and "already holds the checkpoint" in again.stderr
    assert "Traceback" not in again.output
    resumed = runner.invoke(app, ["--verbose", *base, "--checkpoint", folder, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert f"resuming the fit in {folder} after epoch 3" in " ".join(resumed.stderr.split())


def _air_csv(path: Path) -> None:
    from rnnforecast import load_dataset

    load_dataset("airpassengers").iloc[:120].to_csv(path, index=False)


# ------------------------------------------------- real processes: SIGKILL and Ctrl-C

# slow enough per epoch (small batches, two layers with dropout) that a poll sees a few
# checkpoints go by; 300 epochs take a few seconds
SLOW_FIT = ["--horizon", "6", "--epochs", "300", "--hidden-size", "4", "--ensemble", "2",
            "--batch-size", "32", "--num-layers", "2", "--dropout", "0.2", "--seed", "3"]


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "rnnforecast", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "OMP_NUM_THREADS": "1"}


def _wait_for_epoch(process: subprocess.Popen[str], folder: Path, epoch: int,
                    timeout: float = 120.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = saved_epoch(folder)
        if done is not None and done >= epoch:
            return done
        assert process.poll() is None, "the fit ended before it could be interrupted"
        time.sleep(0.01)
    process.kill()
    raise AssertionError("no checkpoint appeared in time")


def test_sigkill_mid_training_then_resume_gives_the_uninterrupted_model(
        tmp_path: Path) -> None:
    data = tmp_path / "air.csv"
    _air_csv(data)
    folder = tmp_path / "ck"
    killed_model = tmp_path / "killed.rnnf"
    resumed_model, plain_model = tmp_path / "resumed.rnnf", tmp_path / "plain.rnnf"
    # the uninterrupted reference, in its own process, meanwhile
    plain = subprocess.Popen(_command("fit", str(data), *SLOW_FIT, "--save", str(plain_model)),
                             env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    fit = ["fit", str(data), *SLOW_FIT, "--checkpoint", str(folder)]
    process = subprocess.Popen(_command(*fit, "--save", str(killed_model)), env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed_at = _wait_for_epoch(process, folder, 3)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert not killed_model.exists()
    at_kill = saved_epoch(folder)
    assert at_kill is not None and killed_at <= at_kill < 300  # killed mid-training

    resumed = subprocess.run(_command(*fit, "--resume", "--save", str(resumed_model)),
                             env=_env(), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    _, plain_stderr = plain.communicate(timeout=300)
    assert plain.returncode == 0, plain_stderr

    meta_r, tensors_r = read_model_file(resumed_model)
    meta_p, tensors_p = read_model_file(plain_model)
    assert tensors_r.keys() == tensors_p.keys()
    for key in tensors_p:
        assert np.array_equal(tensors_r[key], tensors_p[key]), key  # bit for bit
    assert meta_r == meta_p  # settings, series state, the whole history
    assert len(meta_p["fitted"]["history"]["train_loss"]) == 300
    a, b = Forecaster.load(resumed_model).predict(), Forecaster.load(plain_model).predict()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert sorted(p.name for p in folder.iterdir()) == [CHECKPOINT_FILE]


def test_ctrl_c_stops_cleanly_keeps_the_checkpoint_and_writes_nothing_else(
        tmp_path: Path) -> None:
    data = tmp_path / "air.csv"
    _air_csv(data)
    folder = tmp_path / "ck"
    model = tmp_path / "model.rnnf"
    model.write_bytes(b"precious")  # an existing output is never truncated
    # A shell without job control starts background commands (a CI script run with '&', say)
    # with SIGINT ignored, and Python then keeps ignoring it: give the child the default
    # disposition, as a terminal would, so that Ctrl-C reaches it.
    process = subprocess.Popen(
        _command("fit", str(data), *SLOW_FIT, "--checkpoint", str(folder), "--save", str(model)),
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait_for_epoch(process, folder, 2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and stdout == ""
    epoch = saved_epoch(folder)
    assert epoch is not None and 2 <= epoch < 300
    assert stderr.splitlines() == [
        f"interrupted: the checkpoint of epoch {epoch} is kept in {folder}; run the same "
        "command with --resume to finish"]
    assert model.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["air.csv", "ck", "model.rnnf"]
    assert sorted(p.name for p in folder.iterdir()) == [CHECKPOINT_FILE]
