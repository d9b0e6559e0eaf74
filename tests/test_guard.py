"""The small-data guard and the 1-step level: trends start from their last value, random
walks stay near naive, a fallback is chosen on training data only and kept in the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rnnforecast.forecaster.fit as fitting
from rnnforecast.evaluation import run_protocol
from rnnforecast.forecaster import Forecaster
from rnnforecast.forecaster.guard import fallback_forecast
from rnnforecast.forecaster.state import SeriesState


def _yearly(y: np.ndarray, uid: str = "s") -> pd.DataFrame:
    return pd.DataFrame({"unique_id": uid, "y": y,
                         "ds": pd.date_range("1970-01-01", periods=len(y), freq="YS")})


@pytest.mark.parametrize("kind", ["linear", "exponential"])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_trend_is_forecast_from_its_last_value_onwards(kind: str, seed: int) -> None:
    t = np.arange(40.0)
    y = 100 + 5 * t if kind == "linear" else 50 * 1.05**t
    step = y[-1] - y[-2]
    forecast = Forecaster(horizon=6, seed=seed).fit(_yearly(y)).predict()["lstm"].to_numpy()
    # the first step continues the trend: within a step of the next value, not below the
    # last one (a 12-year mean would start 5.5 steps behind)
    assert abs(forecast[0] - (y[-1] + step)) < step
    assert np.all(np.diff(forecast) > 0)


def test_random_walks_are_forecast_about_as_well_as_by_naive() -> None:
    rng = np.random.default_rng(0)
    network, naive = [], []
    for seed in range(8):
        y = 100 + np.cumsum(rng.normal(0, 1, 60))
        train, test = y[:-8], y[-8:]
        forecast = Forecaster(horizon=8, seed=seed).fit(_yearly(train)).predict()["lstm"]
        network.append(np.mean(np.abs(forecast.to_numpy() - test)))
        naive.append(np.mean(np.abs(train[-1] - test)))
    # on average over the walks; without the guard and the 1-step level it was 1.6x naive
    assert np.mean(network) <= 1.1 * np.mean(naive)


def _seasonal_repeat(years: int = 8) -> pd.DataFrame:
    """A monthly pattern that repeats exactly: seasonal naive's forecast is perfect."""
    pattern = np.random.default_rng(3).uniform(10, 20, 12)
    y = np.tile(pattern, years)
    return pd.DataFrame({"unique_id": "s", "y": y,
                         "ds": pd.date_range("2000-01-01", periods=len(y), freq="MS")})


def test_a_series_seasonal_naive_forecasts_exactly_is_guarded(tmp_path: Path) -> None:
    data = _seasonal_repeat()
    model = Forecaster(horizon=12, seed=0).fit(data)
    assert model.guarded_ == {"s": "seasonal_naive"}
    assert model.info()["guarded"] == 1
    expected = data["y"].to_numpy()[-12:]
    np.testing.assert_array_equal(model.predict()["lstm"].to_numpy(), expected)
    model.save(tmp_path / "m.rnnf")
    loaded = Forecaster.load(tmp_path / "m.rnnf")
    assert loaded.guarded_ == {"s": "seasonal_naive"} and loaded.level_span_ == 1
    np.testing.assert_array_equal(loaded.predict()["lstm"].to_numpy(), expected)
    # from new data the fallback continues from the new tail
    shifted = data.assign(y=data["y"] + 1.0)
    np.testing.assert_array_equal(loaded.predict(data=shifted)["lstm"].to_numpy(),
                                  expected + 1.0)


def test_guard_false_keeps_the_network() -> None:
    data = _seasonal_repeat()
    model = Forecaster(horizon=12, seed=0, guard=False).fit(data)
    assert model.guarded_ == {}
    assert not np.array_equal(model.predict()["lstm"].to_numpy(), data["y"].to_numpy()[-12:])


def test_quantile_intervals_keep_their_width_around_a_fallback() -> None:
    data = _seasonal_repeat()
    model = Forecaster(horizon=12, seed=0, levels=[80], epochs=20).fit(data)
    assert model.guarded_ == {"s": "seasonal_naive"}
    forecast = model.predict()
    point = forecast["lstm"].to_numpy()
    lo, hi = forecast["lstm-lo-80"].to_numpy(), forecast["lstm-hi-80"].to_numpy()
    assert np.all(lo <= point) and np.all(point <= hi)
    # the network's own band, moved with its point
    unguarded = Forecaster(horizon=12, seed=0, levels=[80], epochs=20, guard=False).fit(data)
    raw = unguarded.predict()
    np.testing.assert_allclose(hi - lo, (raw["lstm-hi-80"] - raw["lstm-lo-80"]).to_numpy())


@pytest.mark.parametrize(("length", "origins"), [(40, 1), (124, 3)])
def test_the_guard_reads_training_data_only(monkeypatch: pytest.MonkeyPatch, length: int,
                                            origins: int) -> None:
    """A spy on every training set built: none reaches the held-out points, and the guard's
    own fit stops ``origins`` horizons before the end of the training part (one origin per
    ten horizons of the shortest series)."""
    seen: list[pd.Series] = []
    original = fitting.build_training_set

    def spy(f: Forecaster, frame: pd.DataFrame, groups: dict[str, pd.DataFrame]) -> object:
        seen.append(frame.groupby("unique_id")["ds"].max())
        return original(f, frame, groups)

    monkeypatch.setattr(fitting, "build_training_set", spy)
    rng = np.random.default_rng(1)
    data = pd.concat([_yearly(100 + np.cumsum(rng.normal(0, 1, length)), uid)
                      for uid in "ab"], ignore_index=True)
    result = run_protocol(data, ["lstm"], horizon=4, protocol="holdout", epochs=5)
    first_test = result.forecasts.groupby("unique_id")["ds"].min()
    train_end = first_test - pd.DateOffset(years=1)
    # the fit, then the guard's fit, each built twice (the 12-step level, then the 1-step)
    assert len(seen) == 4
    for last in seen:
        assert (last < first_test).all()
    for last in seen[:2]:
        assert (last == train_end).all()
    for last in seen[2:]:
        assert (last == train_end - pd.DateOffset(years=4 * origins)).all()


def test_panels_are_not_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rnnforecast.forecaster.params.PANEL_WINDOWS", 10)
    calls: list[int] = []
    monkeypatch.setattr(fitting, "choose_fallbacks",
                        lambda *args: calls.append(1) or {})  # type: ignore[func-returns-value]
    model = Forecaster(horizon=12, seed=0, epochs=2).fit(_seasonal_repeat())
    assert calls == [] and model.guarded_ == {} and model.level_span_ == 12


def test_fallback_forecasts() -> None:
    state = SeriesState("s", False, 1.0, 4, True, 0, [1.0, 2.0, 3.0, 4.0, 5.0], drift=0.5)
    np.testing.assert_array_equal(fallback_forecast("seasonal_naive", state, 4, 6),
                                  [2.0, 3.0, 4.0, 5.0, 2.0, 3.0])
    np.testing.assert_array_equal(fallback_forecast("drift", state, 4, 3), [5.5, 6.0, 6.5])
    # a tail shorter than the season repeats its last value
    np.testing.assert_array_equal(fallback_forecast("seasonal_naive", state, 12, 2),
                                  [5.0, 5.0])


def test_the_command_line_says_which_series_the_guard_took(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rnnforecast.cli import app

    data = tmp_path / "sales.csv"
    _seasonal_repeat().drop(columns="unique_id").rename(columns={"y": "sales"}).to_csv(
        data, index=False)
    runner = CliRunner()
    fitted = runner.invoke(app, ["fit", str(data), "--horizon", "12", "--save",
                                 str(tmp_path / "m.rnnf")])
    assert fitted.exit_code == 0, fitted.output
    assert "1 of 1 series forecast by seasonal naive" in fitted.stderr
    info = runner.invoke(app, ["info", str(tmp_path / "m.rnnf")])
    assert "sales (seasonal naive)" in info.stdout
    off = runner.invoke(app, ["fit", str(data), "--horizon", "12", "--no-guard", "--save",
                              str(tmp_path / "n.rnnf")])
    assert off.exit_code == 0 and "forecast by" not in off.stderr
    assert Forecaster.load(tmp_path / "n.rnnf").guard is False


@pytest.mark.parametrize("horizon", [6, 12])
def test_one_odd_final_year_does_not_make_the_guard_drop_the_network(horizon: int) -> None:
    """AirPassengers' 1958 slowdown: seasonal naive beats the network on 1958 alone (and
    loses on 1957); judged on two seasons, the growth the network learned is kept."""
    from rnnforecast import load_dataset

    train = load_dataset("airpassengers").iloc[:120]
    assert Forecaster(horizon=horizon, seed=0).fit(train).guarded_ == {}
