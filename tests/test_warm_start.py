"""Warm start: ``fit(data, warm_start=True)`` and ``rnnforecast fit --init MODEL`` continue
training from a model's weights on new data, keeping its architecture and settings."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from rnnforecast import Forecaster
from rnnforecast.cli import app
from rnnforecast.errors import ConfigError

SMALL: dict[str, Any] = {"horizon": 12, "hidden_size": 8, "ensemble": 1, "epochs": 40}


def weights(forecaster: Forecaster) -> np.ndarray:
    return np.concatenate([p.detach().numpy().ravel() for p in forecaster.net_.parameters()])


@pytest.fixture(scope="module")
def fitted(core_air_train: pd.DataFrame) -> Forecaster:
    return Forecaster(**SMALL).fit(core_air_train)


def test_warm_start_continues_where_training_ended(
        fitted: Forecaster, core_air_train: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "m.rnnf"
    fitted.save(path)
    ended = fitted.history_["train_loss"][-1]
    cold = Forecaster(**{**SMALL, "epochs": 1}).fit(core_air_train)
    warm = Forecaster.load(path)
    warm.epochs = 1
    warm.fit(core_air_train, warm_start=True)
    first = warm.history_["train_loss"][0]
    assert first < 2 * ended  # starts near where the first fit ended ...
    assert first < cold.history_["train_loss"][0] / 2  # ... far below a fresh start
    assert not np.array_equal(weights(warm), weights(fitted))  # and did train


def test_warm_start_keeps_architecture_lookback_and_settings(
        fitted: Forecaster, core_air: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "m.rnnf"
    fitted.save(path)
    warm = Forecaster.load(path).fit(core_air, warm_start=True)
    assert warm.lookback_ == fitted.lookback_
    assert warm.settings_ == fitted.settings_
    assert weights(warm).shape == weights(fitted).shape
    assert len(warm.history_["train_loss"]) == SMALL["epochs"]
    # the series state now ends where the new data ends
    assert warm.series_["AirPassengers"].last_ds == core_air["ds"].iloc[-1]
    again = Forecaster.load(path).fit(core_air, warm_start=True)
    assert np.array_equal(weights(again), weights(warm))  # deterministic


def test_warm_start_accepts_new_series(
        fitted: Forecaster, core_air_train: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "m.rnnf"
    fitted.save(path)
    other = core_air_train.assign(unique_id="Other", y=core_air_train["y"] * 3.0)
    warm = Forecaster.load(path).fit(pd.concat([core_air_train, other]), warm_start=True)
    forecast = warm.predict()
    assert set(forecast["unique_id"]) == {"AirPassengers", "Other"}
    assert np.all(np.isfinite(forecast["lstm"]))


def test_warm_start_refuses_unfitted_model_other_frequency_and_bad_flag(
        fitted: Forecaster, core_air_train: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="needs a fitted model"):
        Forecaster(horizon=12).fit(core_air_train, warm_start=True)
    quarterly = core_air_train.iloc[:40].assign(
        ds=pd.date_range("1949-01-01", periods=40, freq="QS"))
    with pytest.raises(ConfigError, match="frequency"):
        fitted.fit(quarterly, warm_start=True)
    with pytest.raises(ConfigError, match="warm_start"):
        fitted.fit(core_air_train, warm_start="yes")  # type: ignore[arg-type]


def test_warm_start_refuses_a_changed_architecture_before_training(
        fitted: Forecaster, core_air_train: pd.DataFrame, tmp_path: Path) -> None:
    """A warm start keeps the network: changing what it is (here num_layers) is refused,
    rather than saving a file whose parameters do not match its weights."""
    path = tmp_path / "m.rnnf"
    fitted.save(path)
    for model in (Forecaster.load(path), Forecaster(**SMALL).fit(core_air_train)):
        before = weights(model)
        model.num_layers = 2
        with pytest.raises(ConfigError, match=r"num_layers=2 differs .* num_layers=1"):
            model.fit(core_air_train, warm_start=True)
        assert np.array_equal(weights(model), before)  # nothing trained
        model.num_layers = 1
        model.epochs, model.lr, model.quiet = 1, 1e-3, True  # how training runs may change
        model.fit(core_air_train, warm_start=True)
        model.save(tmp_path / "again.rnnf")
        assert Forecaster.load(tmp_path / "again.rnnf").settings_["lr"] == 1e-3


def test_warm_start_conflicts_is_the_rule_the_cli_uses() -> None:
    from rnnforecast.forecaster.params import WARM_CHANGEABLE, warm_start_conflicts

    fitted = Forecaster(**SMALL).get_params()
    assert warm_start_conflicts(fitted, {**fitted, "epochs": 3, "seed": 7}) == []
    assert warm_start_conflicts(fitted, {"hidden_size": 32, "lr": 0.1}) == ["hidden_size"]
    assert {"epochs", "lr", "seed", "fill"} <= set(WARM_CHANGEABLE)


# ------------------------------------------------------------------------------- CLI


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_cli_fit_init_continues_training(
        fitted: Forecaster, core_air: pd.DataFrame, tmp_path: Path) -> None:
    start = tmp_path / "start.rnnf"
    fitted.save(start)
    data = write_csv(core_air, tmp_path / "air.csv")
    out = tmp_path / "next.rnnf"
    result = invoke("fit", str(data), "--init", str(start), "--epochs", "3", "--save", str(out))
    assert result.exit_code == 0, result.output
    model = Forecaster.load(out)
    assert len(model.history_["train_loss"]) == 3
    assert model.lookback_ == fitted.lookback_
    assert model.settings_["hidden_size"] == fitted.settings_["hidden_size"]
    assert model.series_["AirPassengers"].last_ds == core_air["ds"].iloc[-1]


@pytest.mark.parametrize(("make", "flags", "message"), [
    (lambda folder, good: folder / "none.rnnf", [], "not found"),
    (lambda folder, good: corrupt(folder, good), [], "corrupt"),
    (lambda folder, good: good, ["--hidden-size", "32"], "--hidden-size cannot be changed"),
    (lambda folder, good: good, ["--horizon", "6"], "--horizon 6 differs"),
])
def test_cli_fit_init_errors_are_one_line(
        fitted: Forecaster, core_air: pd.DataFrame, tmp_path: Path,
        make: object, flags: list[str], message: str) -> None:
    good = tmp_path / "good.rnnf"
    fitted.save(good)
    init = make(tmp_path, good)  # type: ignore[operator]
    data = write_csv(core_air, tmp_path / "air.csv")
    out = tmp_path / "out.rnnf"
    result = invoke("fit", str(data), "--init", str(init), *flags, "--save", str(out))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert message in lines[0]
    assert not out.exists()


def corrupt(folder: Path, good: Path) -> Path:
    path = folder / "corrupt.rnnf"
    shutil.copy(good, path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path
