"""Covariates: reading and validating the columns, future-known and past-only inputs, calendar
features, per-series scaling on training rows only, clear errors for missing future values,
and streaming prediction (batches of series give exactly the unbatched forecast)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rnnforecast import Forecaster
from rnnforecast.data.covariates import calendar_features, calendar_names
from rnnforecast.data.reader import read_series
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.forecaster import predictor as predictor_module
from rnnforecast.forecaster.inputs import plan_for

H = 6
FAST: dict[str, Any] = {"epochs": 40, "hidden_size": 8, "ensemble": 1}


def promo_panel(seed: int = 0, lengths: tuple[int, ...] = (40, 55, 70, 90),
                extra: int = H) -> pd.DataFrame:
    """Series of different lengths and scales whose value jumps by half its base level
    whenever the (random) promotion flag is on; ``price`` is noise."""
    rng = np.random.default_rng(seed)
    frames = []
    for i, n in enumerate(lengths):
        base = 10.0 * 10**i
        ds = pd.date_range("2021-01-04", periods=n + extra, freq="D")
        promo = (rng.random(n + extra) < 0.3).astype(float)
        y = base * (1 + 0.5 * promo + rng.normal(0, 0.01, n + extra))
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y, "promo": promo,
                                    "price": rng.normal(5, 1, n + extra)}))
    return pd.concat(frames, ignore_index=True)


def split(frame: pd.DataFrame, h: int = H) -> tuple[pd.DataFrame, pd.DataFrame]:
    groups = [g for _, g in frame.groupby("unique_id", sort=False)]
    return (pd.concat([g.iloc[:-h] for g in groups], ignore_index=True),
            pd.concat([g.iloc[-h:] for g in groups], ignore_index=True))


def error_of(forecast: pd.DataFrame, test: pd.DataFrame, column: str) -> float:
    merged = forecast.merge(test, on=["unique_id", "ds"])
    assert len(merged) == len(test)
    return float(np.mean(np.abs(merged[column] - merged["y"]) / merged["y"]))


# ------------------------------------------------------------------------------ reader


def test_reader_keeps_named_covariates_only() -> None:
    frame = read_series(promo_panel(), covariates=["promo"])
    assert list(frame.columns) == ["unique_id", "ds", "y", "promo"]
    assert frame["promo"].dtype == np.float64
    assert list(read_series(promo_panel()).columns) == ["unique_id", "ds", "y"]


def test_reader_refuses_absent_or_non_numeric_covariates() -> None:
    with pytest.raises(DataError, match=r"\['temp'\].*not in the data"):
        read_series(promo_panel(), covariates=["temp"])
    bad = promo_panel().astype({"promo": object})
    bad.loc[3, "promo"] = "yes"
    with pytest.raises(DataError, match="non-numeric value 'yes' in column 'promo'"):
        read_series(bad, covariates=["promo"])


def test_reader_missing_covariate_is_an_error_unless_filled() -> None:
    frame = promo_panel()
    frame.loc[5, "promo"] = np.nan
    with pytest.raises(DataError, match="missing value of covariate 'promo' in series 's0'"):
        read_series(frame, covariates=["promo"])
    filled = read_series(frame, covariates=["promo"], fill="ffill")
    assert filled["promo"].iloc[5] == frame["promo"].iloc[4]
    # a missing timestamp is filled in every column
    gappy = frame.drop(index=7)
    assert len(read_series(gappy, covariates=["promo"], fill="zero")) == len(frame)


def test_single_series_csv_with_a_covariate(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    one = promo_panel(lengths=(30,))[["ds", "y", "promo"]].rename(columns={"y": "sales"})
    one.to_csv(path, index=False)
    frame = read_series(path, covariates=["promo"])  # 'sales' stays the only value column
    assert frame["unique_id"].iloc[0] == "sales" and "promo" in frame


# ------------------------------------------------------------------------------ params


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"future_cols": "promo"}, "future_cols='promo' is invalid"),
    ({"past_cols": ["y"]}, "past_cols"),
    ({"future_cols": ["promo"], "past_cols": ["promo"]}, "both future_cols and past_cols"),
    ({"past_cols": ["calendar"]}, "put it in future_cols"),
    ({"future_cols": ["promo"], "strategy": "recursive"}, "need strategy='direct'"),
])
def test_invalid_covariate_params(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Forecaster(horizon=H, **kwargs).fit(promo_panel())  # type: ignore[arg-type]


# ------------------------------------------------------------------- future-known inputs


@pytest.mark.parametrize(("model", "ratio"), [("seq2seq", 0.3), ("lstm", 0.6)])
def test_a_future_covariate_that_drives_y_is_used(model: str, ratio: float) -> None:
    train, test = split(promo_panel())
    future = test.drop(columns="y")
    without = Forecaster(model, horizon=H, **FAST).fit(train).predict()
    with_promo = Forecaster(model, horizon=H, future_cols=["promo"], **FAST).fit(train)
    forecast = with_promo.predict(future=future)
    assert list(forecast.columns) == ["unique_id", "ds", model]
    assert error_of(forecast, test, model) < ratio * error_of(without, test, model)


def test_past_cols_are_accepted_and_need_no_future(tmp_path: Path) -> None:
    train, _ = split(promo_panel())
    f = Forecaster(horizon=H, past_cols=["price"], future_cols=["promo"], **FAST).fit(train)
    assert f.net_.rnn.input_size == 2 + 2  # value, flag, price, promo
    assert f.net_.future_weight is not None  # promo also reaches the head
    future = split(promo_panel())[1][["unique_id", "ds", "promo"]]
    first = f.predict(future=future)
    f.save(tmp_path / "m.rnnf")
    again = Forecaster.load(tmp_path / "m.rnnf").predict(future=future)
    pd.testing.assert_frame_equal(first, again)


def test_missing_future_values_are_clear_errors() -> None:
    train, test = split(promo_panel())
    f = Forecaster("seq2seq", horizon=H, future_cols=["promo"], **FAST).fit(train)
    with pytest.raises(DataError, match=r"future-known columns \['promo'\]: pass a `future`"):
        f.predict()
    with pytest.raises(DataError, match=r"lacks column\(s\) \['promo'\]"):
        f.predict(future=test[["unique_id", "ds"]])
    with pytest.raises(DataError, match="no rows for series 's2'"):
        f.predict(future=test[test["unique_id"] != "s2"])
    short = test.groupby("unique_id").head(H - 2)
    with pytest.raises(DataError, match=f"misses 2 of the {H} steps of series 's0'"):
        f.predict(future=short)
    # a seq2seq decoder is causal: fewer steps need only those steps
    assert len(f.predict(horizon=H - 2, future=short)) == 4 * (H - 2)
    direct = Forecaster(horizon=H, future_cols=["promo"], **FAST).fit(train)
    with pytest.raises(DataError, match=f"misses 2 of the {H} steps"):
        direct.predict(horizon=H - 2, future=short)  # a direct network reads all steps


def test_future_from_a_csv_file(tmp_path: Path) -> None:
    train, test = split(promo_panel())
    f = Forecaster("seq2seq", horizon=H, future_cols=["promo"], **FAST).fit(train)
    path = tmp_path / "future.csv"
    test.drop(columns="y").to_csv(path, index=False)
    pd.testing.assert_frame_equal(f.predict(future=path), f.predict(future=test))
    with pytest.raises(DataError, match="future file not found"):
        f.predict(future=tmp_path / "nope.csv")


def test_scales_are_fitted_on_training_rows_only() -> None:
    train, test = split(promo_panel())
    f = Forecaster(horizon=H, future_cols=["promo"], **FAST).fit(train)
    s0 = train[train["unique_id"] == "s0"]["promo"]
    mean, std = f.series_["s0"].inputs["scales"]["promo"]
    assert mean == pytest.approx(s0.mean()) and std == pytest.approx(s0.std(ddof=0))
    # whatever the held-out part holds, the fitted state is the same
    changed = test.assign(promo=1.0 - test["promo"], y=test["y"] * 3)
    g = Forecaster(horizon=H, future_cols=["promo"], **FAST).fit(train)
    f.predict(future=changed)
    assert g.series_["s0"].inputs == f.series_["s0"].inputs


def test_short_series_of_any_scale_get_forecasts() -> None:
    train, test = split(promo_panel(lengths=(9, 12, 50, 80)))
    f = Forecaster("seq2seq", horizon=H, future_cols=["promo"], past_cols=["price"],
                   **FAST).fit(train)
    forecast = f.predict(future=test)
    assert forecast.groupby("unique_id").size().to_dict() == {f"s{i}": H for i in range(4)}
    assert np.all(np.isfinite(forecast["seq2seq"]))


def test_forecast_from_new_data_uses_its_covariates() -> None:
    train, _ = split(promo_panel())
    f = Forecaster(horizon=H, past_cols=["price"], future_cols=["promo"], **FAST).fit(train)
    history = train.groupby("unique_id").head(35)  # cut every series at 35 points
    everything = promo_panel()
    ends = history.groupby("unique_id")["ds"].max()
    ahead = everything[everything["ds"] > everything["unique_id"].map(ends)]
    forecast = f.predict(data=history, future=ahead)
    assert len(forecast) == 4 * H
    assert (forecast.groupby("unique_id")["ds"].min() > ends).all()
    with pytest.raises(DataError, match=r"\['price'\].*not in the data"):
        f.predict(data=history.drop(columns="price"), future=ahead)


# ------------------------------------------------------------------------------ calendar


def test_calendar_names_follow_the_frequency() -> None:
    assert calendar_names("h") == ["calendar_hour_sin", "calendar_hour_cos",
                                   "calendar_weekday_sin", "calendar_weekday_cos"]
    assert calendar_names("D") == ["calendar_weekday_sin", "calendar_weekday_cos",
                                   "calendar_month_sin", "calendar_month_cos"]
    assert calendar_names("MS") == ["calendar_month_sin", "calendar_month_cos"]
    assert len(calendar_names("QS-OCT")) == 2 and len(calendar_names("W-SUN")) == 2
    for freq in ("YS", "int:1"):
        with pytest.raises(DataError, match="needs dated data below a yearly frequency"):
            calendar_names(freq)


def test_calendar_features_are_periodic() -> None:
    ds = pd.date_range("2024-01-01", periods=25, freq="MS")
    feats = calendar_features(ds, "MS")
    np.testing.assert_allclose(feats[0], feats[12], atol=1e-12)
    np.testing.assert_allclose(feats[0], [0.0, 1.0], atol=1e-12)
    assert not np.allclose(feats[0], feats[6])


def test_calendar_inputs_need_no_future_frame() -> None:
    # a weekly pattern the values follow; the calendar features tell the day of the week
    ds = pd.date_range("2024-01-01", periods=120, freq="D")
    y = 100 + 30 * (ds.dayofweek >= 5) + np.random.default_rng(1).normal(0, 1, 120)
    frame = pd.DataFrame({"unique_id": "a", "ds": ds, "y": y})
    f = Forecaster("seq2seq", horizon=7, future_cols=["calendar"], season_length=1,
                   **FAST).fit(frame)
    assert f.net_.rnn.input_size == 2 + 4
    forecast = f.predict()
    assert len(forecast) == 7 and np.all(np.isfinite(forecast["seq2seq"]))


# ------------------------------------------------------------------- streaming predict


@pytest.mark.parametrize("kwargs", [{}, {"model": "seq2seq", "future_cols": ["promo"]}])
def test_batched_prediction_equals_unbatched(monkeypatch: pytest.MonkeyPatch,
                                             kwargs: dict[str, Any]) -> None:
    train, test = split(promo_panel(lengths=(30, 40, 50, 60, 70)))
    f = Forecaster(horizon=H, epochs=3, hidden_size=4, ensemble=2, **kwargs).fit(train)
    whole = f.predict(future=test)
    monkeypatch.setattr(predictor_module, "PREDICT_BATCH", 2)
    pd.testing.assert_frame_equal(f.predict(future=test), whole, check_exact=True)


# ------------------------------------------------------------------------- static features


def test_static_columns_are_scaled_across_series() -> None:
    frame = promo_panel()
    size = {"s0": 1.0, "s1": 2.0, "s2": 3.0, "s3": 6.0}
    frame["size"] = frame["unique_id"].map(size)
    train, _ = split(frame)
    f = Forecaster(horizon=H, past_cols=["size", "price"], **FAST).fit(train)
    values = np.array(list(size.values()))
    for state in f.series_.values():
        mean, std, flag = state.inputs["scales"]["size"]
        assert (mean, std, flag) == pytest.approx((values.mean(), values.std(), 1.0))
        assert len(state.inputs["scales"]["price"]) == 2  # varies: scaled per series
    # the windows tell the series apart (per-series scaling would make every value 0)
    states = list(f.series_.values())
    windows = plan_for(f).forecast_windows(np.zeros((4, f.lookback_, 2)), states, None)
    expected = [(size[s.unique_id] - values.mean()) / values.std() for s in states]
    np.testing.assert_allclose(windows[:, -1, 2], expected)
    # a series not seen in training keeps the training's static scale
    new = train[train["unique_id"] == "s1"].assign(unique_id="new", size=4.0)
    new_states = f._states_for(new)
    assert new_states["new"].inputs["scales"]["size"] == f.series_["s0"].inputs["scales"]["size"]
    assert len(f.predict(data=new)) == H


def test_a_future_file_with_day_first_dates_is_read_as_the_steps_say(tmp_path: Path) -> None:
    # every series' forecast falls on the 1st-6th of a month: 01/02/2021 .. 06/02/2021 are
    # valid month-first dates too (January 2nd-7th), which would miss the steps
    train, test = split(promo_panel(lengths=(28, 56, 87)))
    f = Forecaster(horizon=H, future_cols=["promo"], **FAST).fit(train)
    future = test[["unique_id", "ds", "promo"]]
    assert (future["ds"].dt.day <= H).all()
    expected = f.predict(future=future)
    path = tmp_path / "future.csv"
    future.assign(ds=future["ds"].dt.strftime("%d/%m/%Y")).to_csv(path, index=False)
    pd.testing.assert_frame_equal(f.predict(future=str(path)), expected)
    path.write_text("unique_id,ds,promo\ns0,not a date,1\n")
    with pytest.raises(DataError, match="the future frame: cannot read 'not a date'"):
        f.predict(future=str(path))
