"""Forecaster: fit/predict on real and awkward data, parameter errors, no leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from rnnforecast import ConfigError, DataError, Forecaster
from rnnforecast.data.seasons import recent_seasonal_indices
from rnnforecast.data.windows import series_scale

torch.set_num_threads(1)

FAST = {"hidden_size": 4, "epochs": 5, "ensemble": 1, "guard": False}
MONTHS_1959_1960 = list(pd.date_range("1959-01-01", "1960-12-01", freq="MS"))


def monthly(values: np.ndarray | list[float], name: str = "s") -> pd.Series:
    values = np.asarray(values, dtype=np.float64)
    idx = pd.date_range("2000-01-01", periods=len(values), freq="MS")
    return pd.Series(values, index=idx, name=name)


@pytest.fixture(scope="module")
def air_lstm(core_air_train: pd.DataFrame) -> Forecaster:
    return Forecaster("lstm", horizon=24, **FAST).fit(core_air_train)


def test_fit_predict_airpassengers(air_lstm: Forecaster, core_air: pd.DataFrame) -> None:
    forecast = air_lstm.predict()
    assert list(forecast.columns) == ["unique_id", "ds", "lstm"]
    assert len(forecast) == 24
    assert forecast["ds"].tolist() == MONTHS_1959_1960
    assert set(forecast["unique_id"]) == {"AirPassengers"}
    values = forecast["lstm"].to_numpy()
    assert values.dtype == np.float64
    assert np.isfinite(values).all()
    # a sane forecast: within the range a monthly airline series could take
    actual = core_air["y"].to_numpy()[120:]
    assert np.all(values > 0.5 * actual.min()) and np.all(values < 2 * actual.max())
    assert air_lstm.freq_ == "MS"
    assert air_lstm.season_length_ == 12


def test_fit_returns_self_and_predict_does_not_change_it(air_lstm: Forecaster) -> None:
    before = {k: v.clone() for k, v in air_lstm.net_.state_dict().items()}
    first = air_lstm.predict()
    second = air_lstm.predict()
    pd.testing.assert_frame_equal(first, second)
    for key, value in air_lstm.net_.state_dict().items():
        assert torch.equal(value, before[key])
    model = Forecaster("rnn", horizon=3, **FAST)
    assert model.fit(np.arange(1.0, 30.0)) is model


@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_other_cells_name_the_column(cell: str, core_air_train: pd.DataFrame) -> None:
    forecast = Forecaster(cell, horizon=6, **FAST).fit(core_air_train).predict()
    assert list(forecast.columns) == ["unique_id", "ds", cell]
    assert np.isfinite(forecast[cell]).all()


def test_shorter_horizon_at_predict_time(air_lstm: Forecaster) -> None:
    full = air_lstm.predict()
    short = air_lstm.predict(horizon=12)
    assert len(short) == 12
    assert short["ds"].tolist() == MONTHS_1959_1960[:12]
    # the direct model's first 12 outputs are the same forecasts
    np.testing.assert_allclose(short["lstm"], full["lstm"].iloc[:12], rtol=1e-12)


def test_longer_horizon_than_trained_is_refused_for_direct(air_lstm: Forecaster) -> None:
    with pytest.raises(ConfigError, match=r"horizon 25 is longer than the 24 steps.*recursive"):
        air_lstm.predict(horizon=25)
    with pytest.raises(ConfigError, match="horizon"):
        air_lstm.predict(horizon=0)


def test_recursive_strategy_gives_any_horizon(core_air_train: pd.DataFrame) -> None:
    model = Forecaster("gru", horizon=6, strategy="recursive", **FAST).fit(core_air_train)
    assert model.net_.head_weight.shape[-1] == 1  # a one-step model
    long = model.predict(horizon=30)
    assert len(long) == 30
    assert long["ds"].iloc[-1] == pd.Timestamp("1961-06-01")
    assert np.isfinite(long["gru"]).all()
    default = model.predict()
    assert len(default) == 6
    np.testing.assert_allclose(default["gru"], long["gru"].iloc[:6], rtol=1e-12)


def test_predict_from_new_data(air_lstm: Forecaster, core_air: pd.DataFrame) -> None:
    later = air_lstm.predict(data=core_air.iloc[:132], horizon=12)
    assert later["ds"].tolist() == list(pd.date_range("1960-01-01", periods=12, freq="MS"))
    assert np.isfinite(later["lstm"]).all()
    # the data's last season drives the forecast: different from forecasting from 1958-12
    assert not np.allclose(later["lstm"], air_lstm.predict(horizon=12)["lstm"])
    # predicting from the training data itself is the same as predicting without data
    same = air_lstm.predict(data=core_air.iloc[:120])
    pd.testing.assert_frame_equal(same, air_lstm.predict())


def test_predict_from_data_for_an_unseen_series(air_lstm: Forecaster,
                                                core_air: pd.DataFrame) -> None:
    other = core_air.assign(unique_id="Other", y=core_air["y"] * 3)
    forecast = air_lstm.predict(data=other)
    assert set(forecast["unique_id"]) == {"Other"}
    assert forecast["ds"].iloc[0] == pd.Timestamp("1961-01-01")
    assert np.isfinite(forecast["lstm"]).all()


def test_predict_refuses_non_positive_new_data_for_a_log_series(air_lstm: Forecaster,
                                                                core_air: pd.DataFrame) -> None:
    bad = core_air.copy()
    bad.loc[140, "y"] = 0.0
    with pytest.raises(DataError, match=r"log scale.*<= 0"):
        air_lstm.predict(data=bad)


def test_predict_refuses_data_of_another_frequency(air_lstm: Forecaster) -> None:
    daily = pd.DataFrame({"unique_id": "AirPassengers", "y": np.arange(1.0, 51.0),
                          "ds": pd.date_range("2000-01-01", periods=50, freq="D")})
    with pytest.raises(DataError, match=r"frequency 'D'.*fitted on 'MS'"):
        air_lstm.predict(data=daily)
    with pytest.raises(DataError, match=r"frequency 'int:1'.*fitted on 'MS'"):
        air_lstm.predict(data=np.arange(1.0, 50.0))


def test_predict_from_data_shorter_than_a_season(air_lstm: Forecaster,
                                                 core_air: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"series 'AirPassengers' has 11 points.*at least 12"):
        air_lstm.predict(data=core_air.iloc[:11])
    forecast = air_lstm.predict(data=core_air.iloc[:12])  # one season is enough
    assert forecast["ds"].iloc[0] == pd.Timestamp("1950-01-01")
    assert np.isfinite(forecast["lstm"]).all()


def test_several_series_one_network(core_air: pd.DataFrame) -> None:
    frame = pd.concat([
        core_air.assign(unique_id="A"),
        core_air.assign(unique_id="B", y=core_air["y"] * 1000),
        core_air.iloc[:60].assign(unique_id="C"),  # shorter, ends earlier
    ])
    model = Forecaster("lstm", horizon=6, **FAST).fit(frame)
    assert model.net_.members == 1  # one shared network, not one per series
    assert sorted(model.series_) == ["A", "B", "C"]
    forecast = model.predict()
    assert len(forecast) == 18
    assert forecast.groupby("unique_id").size().to_dict() == {"A": 6, "B": 6, "C": 6}
    c = forecast[forecast["unique_id"] == "C"]
    assert c["ds"].iloc[0] == pd.Timestamp("1954-01-01")
    a = forecast[forecast["unique_id"] == "A"]["lstm"].to_numpy()
    b = forecast[forecast["unique_id"] == "B"]["lstm"].to_numpy()
    assert np.isfinite(forecast["lstm"]).all()
    # scale-free framing: B is A times 1000, so its forecast is too
    np.testing.assert_allclose(b, a * 1000, rtol=1e-6)


def test_series_of_different_frequencies_are_refused() -> None:
    frame = pd.concat([
        pd.DataFrame({"unique_id": "m", "ds": pd.date_range("2000-01-01", periods=30, freq="MS"),
                      "y": np.arange(30.0)}),
        pd.DataFrame({"unique_id": "d", "ds": pd.date_range("2000-01-01", periods=30, freq="D"),
                      "y": np.arange(30.0)}),
    ])
    with pytest.raises(DataError, match="one frequency"):
        Forecaster(horizon=3, **FAST).fit(frame)


def test_zeros_and_negative_values_with_the_default_transform() -> None:
    t = np.arange(60)
    values = 5 * np.sin(2 * np.pi * t / 12) + np.where(t % 7 == 0, 0.0, -1.0)
    values[10] = 0.0
    model = Forecaster(horizon=6, **FAST).fit(monthly(values))
    assert model.series_["s"].log is False
    assert model.series_["s"].nonnegative is False
    forecast = model.predict()["lstm"].to_numpy()
    assert np.isfinite(forecast).all()
    assert forecast.min() < 0  # negative values are not clipped away


@pytest.mark.parametrize("constant", [7.5, 0.1, 1e-5, 123456.789, -2.5])
@pytest.mark.parametrize("transform", ["auto", "none"])
def test_constant_series_forecasts_exactly_the_constant(constant: float, transform: str) -> None:
    model = Forecaster(horizon=6, transform=transform, **FAST).fit(monthly([constant] * 40))
    assert model.predict()["lstm"].tolist() == [constant] * 6
    assert model.predict(horizon=2)["lstm"].tolist() == [constant] * 2


def test_all_zeros_forecast_zeros() -> None:
    model = Forecaster(horizon=6, **FAST).fit(monthly([0.0] * 40))
    assert model.predict()["lstm"].tolist() == [0.0] * 6


def test_constant_integer_indexed_series() -> None:
    model = Forecaster("gru", horizon=4, **FAST).fit(np.full(30, -3.25))
    forecast = model.predict()
    assert forecast["gru"].tolist() == [-3.25] * 4
    assert forecast["ds"].tolist() == [30, 31, 32, 33]


def test_nonnegative_clipping() -> None:
    # a series falling to zero: the seasonal-residual forecast could go below 0
    values = np.r_[np.linspace(50, 0, 30), np.zeros(10)]
    values[-3:] = [0.0, 5.0, 0.0]
    clipped = Forecaster(horizon=6, nonnegative=True, **FAST).fit(monthly(values))
    free = Forecaster(horizon=6, nonnegative=False, **FAST).fit(monthly(values))
    a, b = clipped.predict()["lstm"].to_numpy(), free.predict()["lstm"].to_numpy()
    assert a.min() >= 0.0
    assert np.array_equal(a, np.maximum(b, 0.0))  # clipping is the only difference
    auto = Forecaster(horizon=6, **FAST).fit(monthly(values))
    assert auto.series_["s"].nonnegative is True  # all training values >= 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "values",
    [1e300 * (1 + np.arange(40)),
     1e300 * np.sin(np.arange(40)),
     1.7e308 * np.sin(np.arange(40)),
     np.r_[np.ones(39), 1e300]],
    ids=["huge-positive", "huge-signed", "near-max-signed", "one-huge-jump"],
)
def test_huge_values_give_finite_forecasts_or_a_data_error(values: np.ndarray) -> None:
    try:
        forecast = Forecaster(horizon=6, **FAST).fit(monthly(values)).predict()
    except DataError as exc:
        assert "rescale" in str(exc)
    else:
        assert np.isfinite(forecast["lstm"]).all()


def test_zero_network_output_is_seasonal_naive(core_air_train: pd.DataFrame) -> None:
    model = Forecaster("lstm", horizon=24, framing="seasonal", **FAST).fit(core_air_train)
    with torch.no_grad():
        model.net_.head_weight.zero_()
        model.net_.head_bias.zero_()
    forecast = model.predict()["lstm"].to_numpy()
    last_year = core_air_train["y"].to_numpy()[-12:]
    np.testing.assert_allclose(forecast, np.tile(last_year, 2), rtol=1e-12)


# ------------------------------------------------------------------------ leakage


def test_state_depends_only_on_the_training_part(core_air: pd.DataFrame,
                                                 core_air_train: pd.DataFrame) -> None:
    params = {"horizon": 12, **FAST}
    model = Forecaster("lstm", **params).fit(core_air_train)
    state = model.series_["AirPassengers"]
    train_y = core_air_train["y"].to_numpy()
    assert state.log is True
    assert state.indices == recent_seasonal_indices(train_y, 12).tolist()  # fitted on train only
    assert state.scale == 1.0  # log scale: window differences are already relative
    seasonal = Forecaster("lstm", framing="seasonal", **params).fit(core_air_train)
    assert seasonal.series_["AirPassengers"].scale == series_scale(np.log(train_y), 12)
    assert state.tail[-1] == train_y[-1]  # the stored tail ends at the last training point
    assert state.tail == train_y[-len(state.tail):].tolist()
    assert state.last_ds == pd.Timestamp("1958-12-01")

    # a wildly different "future" that exists but is not passed changes nothing
    wild = core_air.copy()
    wild.loc[120:, "y"] = 1e6
    other = Forecaster("lstm", **params).fit(wild.iloc[:120])
    assert other.series_ == model.series_
    pd.testing.assert_frame_equal(other.predict(), model.predict())
    for key, value in model.net_.state_dict().items():
        assert torch.equal(value, other.net_.state_dict()[key])

    # and the full series gives a different state (the test part would leak into it)
    full = Forecaster("lstm", **params).fit(core_air)
    assert full.series_["AirPassengers"].indices != state.indices


def test_validation_windows_come_from_the_end_of_training(core_air_train: pd.DataFrame) -> None:
    model = Forecaster("lstm", horizon=12, patience=5, **FAST).fit(core_air_train)
    state = model.series_["AirPassengers"]
    # the fitted transform still covers the whole training part (validation is inside it)
    assert state.indices == recent_seasonal_indices(core_air_train["y"].to_numpy(), 12).tolist()


# ------------------------------------------------------------------------- errors


def test_series_too_short(core_air: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"series 'AirPassengers' has 13 points; with horizon 12 "
                                        r"a series needs at least 14"):
        Forecaster(horizon=12, **FAST).fit(core_air.iloc[:13])
    Forecaster(horizon=12, **FAST).fit(core_air.iloc[:14])  # exactly enough


def test_lookback_leaving_no_training_window() -> None:
    with pytest.raises(DataError, match=r"lookback 40 leaves no training window.*40 points.*"
                                        r"horizon 6.*lookback <= 33"):
        Forecaster(horizon=6, lookback=40, **FAST).fit(monthly(np.arange(1.0, 41.0)))
    model = Forecaster(horizon=6, lookback=33, **FAST).fit(monthly(np.arange(1.0, 41.0)))
    assert model.lookback_ == 33


def test_log_transform_with_non_positive_data() -> None:
    with pytest.raises(DataError, match=r"transform='log'.*series 's'.*<= 0"):
        Forecaster(horizon=6, transform="log", **FAST).fit(monthly(np.arange(-1.0, 39.0)))


@pytest.mark.parametrize(
    ("name", "value"),
    [("model", "xyz"), ("horizon", 0), ("horizon", 2.5), ("horizon", True), ("lookback", 0),
     ("hidden_size", 0), ("num_layers", 0), ("dropout", 1.0), ("dropout", -0.1),
     ("strategy", "multi"), ("transform", "sqrt"), ("season_length", 0), ("loss", "l3"),
     ("clip", 0), ("epochs", 0), ("batch_size", 0), ("lr", 0.0), ("lr", float("nan")),
     ("patience", 0), ("seed", -1), ("ensemble", 0), ("threads", 0), ("fill", "mean")],
)
def test_invalid_parameters_name_the_parameter(name: str, value: object,
                                               core_air: pd.DataFrame) -> None:
    params: dict[str, object] = {"horizon": 6, **FAST, name: value}
    with pytest.raises(ConfigError, match=rf"^{name}=.* is invalid: use "):
        Forecaster(**params).fit(core_air)  # type: ignore[arg-type]


def test_predict_before_fit() -> None:
    with pytest.raises(ConfigError, match="not fitted"):
        Forecaster(horizon=3).predict()


def test_get_params_and_repr() -> None:
    model = Forecaster("gru", horizon=3, epochs=7)
    params = model.get_params()
    assert params["model"] == "gru" and params["horizon"] == 3 and params["epochs"] == 7
    assert repr(model) == "Forecaster(model='gru', horizon=3, epochs=7)"


def test_fill_parameter_reaches_the_reader() -> None:
    values = np.arange(1.0, 41.0)
    values[20] = np.nan
    with pytest.raises(DataError, match="missing value"):
        Forecaster(horizon=3, **FAST).fit(monthly(values))
    model = Forecaster(horizon=3, fill="interpolate", **FAST).fit(monthly(values))
    assert np.isfinite(model.predict()["lstm"]).all()


def test_info(air_lstm: Forecaster) -> None:
    info = air_lstm.info()
    assert info["model"] == "lstm"
    assert info["series"] == 1
    assert info["epochs_run"] == 5
    assert info["frequency"] == "MS"
    assert info["parameters"] == sum(p.numel() for p in air_lstm.net_.parameters())


# ------------------------------------------------- a small panel of awkward, unequal series


def _awkward_panel() -> pd.DataFrame:
    """Unequal lengths and start dates, scales from 1e-3 to 1e6, a series shorter than the
    lookback, a negative one and a constant one: one frame, one global network."""
    rng = np.random.default_rng(7)
    parts = []
    specs = [("long", 96, "1990-01-01", 1e6), ("mid", 60, "1995-07-01", 1.0),
             ("tiny", 20, "2001-03-01", 1e-3), ("neg", 48, "1998-01-01", -50.0),
             ("flat", 40, "1999-05-01", 0.0)]
    for uid, n, start, scale in specs:
        t = np.arange(n)
        shape = 10 + np.sin(2 * np.pi * t / 12) + 0.05 * t + rng.normal(0, 0.2, n)
        y = np.full(n, 7.0) if scale == 0.0 else scale * shape
        parts.append(pd.DataFrame({"unique_id": uid, "y": y,
                                   "ds": pd.date_range(start, periods=n, freq="MS")}))
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=0)  # unsorted


def test_a_panel_of_unequal_series_gets_every_forecast_and_score() -> None:
    from rnnforecast.evaluation import run_protocol

    panel = _awkward_panel()
    result = run_protocol(panel, ["lstm", "seasonal_naive"], horizon=6, lookback=24, **FAST)
    scores = result.scores
    lstm = scores[scores["model"] == "lstm"]
    assert set(lstm["unique_id"]) == {"long", "mid", "tiny", "neg", "flat"}
    assert np.isfinite(lstm["mae"]).all()
    forecast = result.forecast_frame()
    flat = forecast.loc[forecast["unique_id"] == "flat", "lstm"].to_numpy()
    assert np.array_equal(flat, np.full(6, 7.0))  # a constant series forecasts itself exactly
    neg = forecast.loc[forecast["unique_id"] == "neg", "lstm"].to_numpy()
    assert (neg < 0).all()  # negative data: no log, forecasts on the series' own side of 0


def test_panel_scaling_is_per_series_and_never_sees_the_held_out_points() -> None:
    """Scaling one series by 1000 multiplies its forecast by 1000 and leaves the others
    bit-identical (each series is scaled on its own); changing every series' held-out points
    changes no forecast at all (nothing is fitted on them)."""
    from rnnforecast.evaluation import run_protocol

    panel = _awkward_panel()
    scaled = panel.copy()
    scaled.loc[scaled["unique_id"] == "mid", "y"] *= 1000.0
    garbled = panel.copy()
    last6 = garbled.sort_values("ds").groupby("unique_id").tail(6).index
    garbled.loc[last6, "y"] = garbled.loc[last6, "y"] * -3.0 + 1e4
    runs = {name: run_protocol(frame, ["lstm"], horizon=6, lookback=24, **FAST)
            .forecast_frame().sort_values(["unique_id", "ds"]).reset_index(drop=True)
            for name, frame in (("base", panel), ("scaled", scaled), ("garbled", garbled))}
    base, other = runs["base"], runs["scaled"]
    mid = base["unique_id"] == "mid"
    np.testing.assert_allclose(other.loc[mid, "lstm"], 1000.0 * base.loc[mid, "lstm"],
                               rtol=1e-9)
    assert np.array_equal(other.loc[~mid, "lstm"], base.loc[~mid, "lstm"])
    assert np.array_equal(runs["garbled"]["lstm"], base["lstm"])


def test_a_long_series_trains_on_its_most_recent_windows_only():
    """Cost grows with what a small network can learn, not with the series' length: a
    2,600-point series gives MAX_WINDOWS_PER_SERIES windows and keeps the small-data
    settings, where all its windows would have switched to the panel ones."""
    from rnnforecast.forecaster import _SMALL, MAX_WINDOWS_PER_SERIES, PANEL_WINDOWS

    rng = np.random.default_rng(0)
    y = 50 + np.cumsum(rng.normal(0, 1, 2600))
    assert len(y) > PANEL_WINDOWS > MAX_WINDOWS_PER_SERIES
    f = Forecaster(horizon=4, epochs=1, seed=0).fit(pd.DataFrame({"ds": range(len(y)), "y": y}))
    assert f.settings_["hidden_size"] == _SMALL["hidden_size"]
    assert f.settings_["ensemble"] == _SMALL["ensemble"]
    assert np.all(np.isfinite(f.predict()["lstm"]))
