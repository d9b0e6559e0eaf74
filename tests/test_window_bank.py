"""The window bank: windows gathered per batch are bit-identical to `make_windows`' (numpy
and torch, both framings, log and raw scales, short, constant and unequal series), its
float32 check agrees with the materialised one, its fingerprint with the materialised
array's, and a Forecaster trains to the same forecast either way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import rnnforecast.forecaster.training_set as training_set_module
from rnnforecast import Forecaster
from rnnforecast.data.framing import (
    fit_framing,
    make_targets,
    make_windows,
    origins_for,
    window_steps,
)
from rnnforecast.data.window_bank import WindowBank, WindowBankBuilder
from rnnforecast.training.batches import BankWindows
from rnnforecast.training.checkpoint import fingerprint

LOOKBACK = 24
FLOAT32_MAX = float(np.finfo(np.float32).max)


def panel_values() -> list[np.ndarray]:
    """Seasonal (so the level framing deseasonalises), trending, noisy, constant, and
    shorter-than-lookback series of different lengths, all positive."""
    rng = np.random.default_rng(3)
    t = np.arange(90)
    return [
        (100 + 2 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12)),
        50 + np.cumsum(rng.normal(0, 1, 61)) ** 2,
        np.full(40, 7.5),  # constant: scale 0
        np.array([3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 11.0, 10.0, 12.0]),  # shorter
        1e4 + rng.gamma(2.0, 50.0, 33),
    ]


def materialised_and_bank(framing: str, log: bool, out_size: int
                          ) -> tuple[np.ndarray, np.ndarray, WindowBank, list[bool]]:
    """`make_windows`' inputs and targets of every series, and the bank of the same."""
    builder = WindowBankBuilder(LOOKBACK)
    xs, ys, fits = [], [], []
    for y in panel_values():
        z = np.log(y) if log else y
        state = fit_framing(framing, y, z, log, 12 if y.size > 24 else 1)
        origins = origins_for(framing, z.size, state, out_size)
        x, target = make_windows(framing, z, log, state, origins, LOOKBACK, out_size)
        np.testing.assert_array_equal(make_targets(framing, z, log, state, origins, out_size),
                                      target)
        steps, shift, divisor = window_steps(framing, z, log, state, origins)
        fits.append(builder.add(steps, origins, shift, divisor))
        xs.append(x)
        ys.append(target)
    return np.concatenate(xs), np.concatenate(ys), builder.build(), fits


@pytest.mark.parametrize("framing", ["level", "seasonal"])
@pytest.mark.parametrize("log", [True, False])
@pytest.mark.parametrize("out_size", [1, 6])
def test_gathered_windows_equal_make_windows_exactly(framing: str, log: bool,
                                                     out_size: int) -> None:
    x, _, bank, fits = materialised_and_bank(framing, log, out_size)
    assert len(bank) == x.shape[0] > 0 and bank.shape == x.shape and all(fits)
    idx = np.random.default_rng(0).permutation(len(bank))
    assert np.array_equal(bank.windows(idx), x[idx])  # float64, before the cast
    assert np.array_equal(np.concatenate(list(bank.chunks(50))), x)
    windows = BankWindows(bank, torch.device("cpu"))
    x32 = x.astype(np.float32)
    assert len(windows) == len(bank)
    batch = windows[torch.from_numpy(idx[:100])]
    assert batch.dtype == torch.float32 and batch.is_contiguous()
    assert np.array_equal(batch.numpy(), x32[idx[:100]])
    assert np.array_equal(windows.all_windows().numpy(), x32)
    assert windows.all_windows() is windows.all_windows()  # gathered once


def test_fingerprint_of_a_bank_is_that_of_its_windows() -> None:
    x, y, bank, _ = materialised_and_bank("level", True, 6)
    settings = {"model": "lstm"}
    assert fingerprint(settings, [bank, y]) == fingerprint(settings, [x.astype(np.float32), y])
    assert fingerprint(settings, [bank, y]) != fingerprint(settings, [x, y])  # float64 differs


def _materialised_fits(bank: WindowBank) -> bool:
    return bool(np.all(np.abs(bank.windows(np.arange(len(bank)))) < FLOAT32_MAX))


@pytest.mark.parametrize("huge", [2 * FLOAT32_MAX, np.inf, np.nan])
def test_float32_check_looks_at_the_windows_only(huge: float) -> None:
    steps = np.stack([np.arange(10.0), np.ones(10)], axis=1)
    steps[-1, 0] = huge  # the last step: in the window ending there only
    for level in (False, True):
        for origins in (np.arange(0, 9), np.arange(0, 10)):
            builder = WindowBankBuilder(4)
            shift = np.full(origins.size, 2.0) if level else None
            fits = builder.add(steps, origins, shift, 0.5)
            assert fits == (origins[-1] < 9)
            assert fits == _materialised_fits(builder.build())


def test_float32_check_with_a_bounds_miss_that_fits() -> None:
    """Level windows whose shifts are far apart: the cheap bounds fail, each window fits."""
    steps = np.stack([np.array([0.0, 0.0, 2e38, 2e38]), np.ones(4)], axis=1)
    builder = WindowBankBuilder(2)  # windows (0, 0) - 0 and (2e38, 2e38) - 2e38, halved
    assert builder.add(steps, np.array([1, 3]), np.array([0.0, 2e38]), 0.5)
    assert _materialised_fits(builder.build())
    builder = WindowBankBuilder(3)  # (0, 0, 2e38) - 0, halved: 4e38 does not fit
    assert not builder.add(steps, np.array([2]), np.array([0.0]), 0.5)
    assert not _materialised_fits(builder.build())


def panel_frame() -> pd.DataFrame:
    parts = []
    for i, y in enumerate(panel_values()):
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "y": y,
                                   "ds": pd.date_range("2000-01", periods=y.size, freq="MS")}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("options", [
    {"framing": "level", "batch_size": 32, "patience": 3},  # shuffled batches, validation
    {"framing": "seasonal", "batch_size": 32, "strategy": "recursive"},
    {"framing": "level"},  # one batch of every window
])
def test_a_fit_from_the_bank_is_the_fit_from_materialised_windows(
        options: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    def fit() -> Forecaster:
        return Forecaster(horizon=6, epochs=4, hidden_size=8, ensemble=2, lookback=LOOKBACK,
                          **options).fit(panel_frame())  # type: ignore[arg-type]

    gathered = fit()
    monkeypatch.setattr(training_set_module, "_GATHER_WINDOWS", False)
    built = fit()
    for key, values in gathered.history_.items():
        np.testing.assert_array_equal(values, built.history_[key])
    for (name, a), (_, b) in zip(gathered.net_.state_dict().items(),
                                 built.net_.state_dict().items(), strict=True):
        assert torch.equal(a, b), name
    assert gathered.predict().equals(built.predict())


def test_a_checkpoint_resumes_whichever_way_the_windows_are_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fit(**kwargs: bool) -> Forecaster:
        return Forecaster(horizon=6, epochs=2, hidden_size=4, ensemble=1, batch_size=32).fit(
            panel_frame(), checkpoint=tmp_path / "ckpt", **kwargs)

    gathered = fit()
    monkeypatch.setattr(training_set_module, "_GATHER_WINDOWS", False)
    built = fit(resume=True)  # the same data fingerprint: no ConfigError
    assert gathered.predict().equals(built.predict())
