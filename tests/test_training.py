"""The training loop: determinism, history, clipping, early stopping, threads, the optimizer."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import torch

from rnnforecast import Forecaster
from rnnforecast.errors import TrainingError
from rnnforecast.models import RecurrentNet
from rnnforecast.training import TrainConfig, train
from rnnforecast.training import loop as loop_module
from rnnforecast.training.optim import Adam

torch.set_num_threads(1)


def tiny_problem(n: int = 64, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, 2, generator=g)
    y = x[:, -1, :1] * 0.5 + 0.1 * torch.randn(n, 1, generator=g)
    return x, y


def net(members: int = 1, seed: int = 0) -> RecurrentNet:
    torch.manual_seed(seed)
    return RecurrentNet("gru", 2, 4, 1, 1, members=members)


def test_same_seed_gives_bit_identical_weights_and_forecast(core_air_train: pd.DataFrame) -> None:
    params = {"horizon": 6, "hidden_size": 6, "epochs": 8, "ensemble": 2, "seed": 3}
    a = Forecaster("lstm", **params).fit(core_air_train)
    b = Forecaster("lstm", **params).fit(core_air_train)
    sa, sb = a.net_.state_dict(), b.net_.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key
    assert np.array_equal(a.predict()["lstm"].to_numpy(), b.predict()["lstm"].to_numpy())
    assert a.history_.keys() == b.history_.keys()
    for key in a.history_:
        assert np.array_equal(a.history_[key], b.history_[key], equal_nan=True), key
    c = Forecaster("lstm", **{**params, "seed": 4}).fit(core_air_train)
    assert not torch.equal(a.net_.head_weight, c.net_.head_weight)


def test_history_has_one_entry_per_epoch(core_air_train: pd.DataFrame) -> None:
    model = Forecaster("gru", horizon=6, hidden_size=4, epochs=7, ensemble=1).fit(core_air_train)
    for key in ("train_loss", "val_loss", "grad_norm"):
        assert len(model.history_[key]) == 7, key
    assert all(math.isfinite(v) and v >= 0 for v in model.history_["train_loss"])
    assert all(math.isfinite(v) and v >= 0 for v in model.history_["grad_norm"])
    assert all(math.isnan(v) for v in model.history_["val_loss"])  # no validation asked
    assert model.stop_reason_ == "epochs"
    with_val = Forecaster("gru", horizon=6, hidden_size=4, epochs=5, ensemble=1,
                          patience=50).fit(core_air_train)
    assert len(with_val.history_["val_loss"]) == 5
    assert all(math.isfinite(v) for v in with_val.history_["val_loss"])


def test_train_loss_decreases_on_a_learnable_problem() -> None:
    x, y = tiny_problem()
    result = train(net(), x, y, TrainConfig(epochs=40, lr=0.02, seed=0))
    losses = result.history["train_loss"]
    assert losses[-1] < 0.5 * losses[0]


def test_tiny_clip_bounds_the_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float] = []

    class RecordingAdam(Adam):
        def step(self) -> None:
            norm = torch.linalg.vector_norm(
                torch.stack([torch.linalg.vector_norm(p.grad) for p in self.params
                             if p.grad is not None])
            )
            seen.append(float(norm))
            super().step()

    monkeypatch.setattr(loop_module, "Adam", RecordingAdam)
    x, y = tiny_problem()
    clip = 1e-3
    result = train(net(), x, y, TrainConfig(epochs=4, batch_size=16, clip=clip, seed=0))
    assert len(seen) == 4 * 4  # four batches per epoch
    assert max(seen) <= clip * (1 + 1e-4)  # every step used a clipped gradient
    assert all(v > clip for v in result.history["grad_norm"])  # recorded before clipping
    assert result.history["clipped"] == [1.0] * 4
    assert all(math.isfinite(v) for v in result.history["train_loss"])


def test_tiny_clip_in_a_forecaster(core_air_train: pd.DataFrame) -> None:
    model = Forecaster("lstm", horizon=6, hidden_size=4, epochs=5, ensemble=1, clip=1e-6,
                       lr=0.05).fit(core_air_train)
    assert all(v > 1e-6 for v in model.history_["grad_norm"])
    assert all(math.isfinite(v) for v in model.history_["train_loss"])
    assert np.isfinite(model.predict()["lstm"].to_numpy()).all()


def test_clipping_is_per_member() -> None:
    x, y = tiny_problem()
    result = train(net(members=3), x, y, TrainConfig(epochs=2, clip=1e-3, seed=0))
    assert result.history["clipped"] == [1.0, 1.0]
    assert len(result.best_epoch) == 3


def test_early_stopping_restores_the_best_weights() -> None:
    # noise targets: validation loss stops improving quickly
    g = torch.Generator().manual_seed(7)
    x, y = torch.randn(48, 5, 2, generator=g), torch.randn(48, 1, generator=g)
    xv, yv = torch.randn(16, 5, 2, generator=g), torch.randn(16, 1, generator=g)
    model = net(seed=1)
    cfg = TrainConfig(epochs=300, lr=0.05, patience=3, seed=0)
    result = train(model, x, y, cfg, xv, yv)
    val = result.history["val_loss"]
    assert result.stop_reason.startswith("early stopping")
    assert len(val) < 300
    best = int(np.argmin(val))
    assert result.best_epoch == [best + 1]
    assert len(val) == best + 1 + 3  # stopped `patience` epochs after the best one
    model.eval()
    with torch.inference_mode():
        restored = float((model(xv) - yv.unsqueeze(0)).pow(2).mean())
    assert restored == pytest.approx(val[best], rel=1e-6)
    assert restored < val[-1]


def test_forecaster_early_stopping(core_air_train: pd.DataFrame) -> None:
    model = Forecaster("gru", horizon=12, hidden_size=8, epochs=200, lr=0.05, ensemble=1,
                       patience=2).fit(core_air_train)
    val = model.history_["val_loss"]
    assert len(val) == len(model.history_["train_loss"])
    if model.stop_reason_.startswith("early stopping"):
        assert len(val) < 200
    assert model.best_epoch_ == [int(np.nanargmin(val)) + 1]


def test_caller_thread_count_is_restored(core_air_train: pd.DataFrame) -> None:
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        model = Forecaster("rnn", horizon=6, hidden_size=4, epochs=2, ensemble=1,
                           threads=1).fit(core_air_train)
        assert torch.get_num_threads() == 2
        model.predict()
        assert torch.get_num_threads() == 2
        x, y = tiny_problem()
        train(net(), x, y, TrainConfig(epochs=1, threads=1))
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)


def test_non_finite_loss_in_first_epoch_is_a_training_error() -> None:
    x, y = tiny_problem()
    y = y.clone()
    y[0, 0] = float("nan")
    with pytest.raises(TrainingError, match="first epoch"):
        train(net(), x, y, TrainConfig(epochs=3))


def test_custom_adam_matches_torch_adam() -> None:
    torch.manual_seed(0)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    ours = [torch.randn(s, requires_grad=True) for s in shapes]
    start = [p.detach().clone() for p in ours]
    theirs = [p.detach().clone().requires_grad_(True) for p in ours]
    opt_ours = Adam(ours, lr=0.01, betas=(0.8, 0.95), eps=1e-7)
    opt_theirs = torch.optim.Adam(theirs, lr=0.01, betas=(0.8, 0.95), eps=1e-7)
    g = torch.Generator().manual_seed(1)
    for _ in range(6):
        grads = [torch.randn(s, generator=g) for s in shapes]
        for p, q, grad in zip(ours, theirs, grads, strict=True):
            p.grad = grad.clone()
            q.grad = grad.clone()
        opt_ours.step()
        opt_theirs.step()
    for p, q in zip(ours, theirs, strict=True):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)
    assert all(not torch.equal(p.detach(), s) for p, s in zip(ours, start, strict=True))
    state = opt_ours.state_tensors()
    assert int(state["step"]) == 6
    assert set(state) == {"step"} | {f"exp_avg.{i}" for i in range(3)} | {
        f"exp_avg_sq.{i}" for i in range(3)}


def test_adam_zero_grad_and_missing_gradients() -> None:
    p = torch.ones(3, requires_grad=True)
    opt = Adam([p], lr=0.1)
    opt.step()  # no gradient: treated as zero, no movement
    assert torch.equal(p.detach(), torch.ones(3))
    p.grad = torch.ones(3)
    opt.zero_grad()
    assert p.grad is None


def test_fitting_does_not_import_torch_dynamo() -> None:
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from rnnforecast import Forecaster
        model = Forecaster("lstm", horizon=3, hidden_size=4, epochs=3, ensemble=2)
        model.fit(np.arange(1.0, 40.0)).predict()
        print("torch" in sys.modules, "torch._dynamo" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["True", "False"]
