"""Drift, mean, Naive2 and the statsforecast models, against hand-computed forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnforecast import DataError, load_dataset
from rnnforecast.baselines.benchmarks import Drift, Mean, Naive2
from rnnforecast.baselines.classical import AutoETS, AutoETSLog, Theta, ThetaLog
from rnnforecast.data.seasons import (
    autocorrelation,
    centred_moving_average,
    is_seasonal,
    seasonal_indices,
)
from rnnforecast.metrics import mase


def _frame(values: list[float] | np.ndarray) -> pd.DataFrame:
    y = np.asarray(values, dtype=float)
    return pd.DataFrame({"unique_id": "s", "ds": np.arange(1, len(y) + 1), "y": y})


def test_drift_extends_the_line_through_first_and_last() -> None:
    fc = Drift(3).fit(_frame([1.0, 2.0, 4.0, 7.0])).predict()
    # slope (7 - 1) / 3 = 2
    np.testing.assert_allclose(fc["drift"], [9.0, 11.0, 13.0])
    np.testing.assert_array_equal(fc["ds"], [5, 6, 7])


def test_mean_repeats_the_training_mean() -> None:
    fc = Mean(2).fit(_frame([1.0, 2.0, 6.0])).predict()
    np.testing.assert_allclose(fc["mean"], [3.0, 3.0])


def test_centred_moving_average_even_window() -> None:
    y = np.arange(1.0, 9.0)  # 1..8, window 4: (0.5*1 + 2 + 3 + 4 + 0.5*5) / 4 = 3 at t=2
    ma = centred_moving_average(y, 4)
    assert np.isnan(ma[:2]).all() and np.isnan(ma[-2:]).all()
    np.testing.assert_allclose(ma[2:-2], [3.0, 4.0, 5.0, 6.0])


def test_autocorrelation_of_an_alternating_series() -> None:
    y = np.array([1.0, -1.0] * 10)
    assert autocorrelation(y, 1) == pytest.approx(-19 / 20)
    assert autocorrelation(y, 2) == pytest.approx(18 / 20)
    assert autocorrelation(np.ones(5), 1) == 0.0


def test_naive2_on_a_purely_seasonal_series_is_seasonal_naive() -> None:
    pattern = np.array([1.0, 2.0, 4.0, 2.0])
    y = np.tile(pattern, 6) * 10
    assert is_seasonal(y, 4)
    si = seasonal_indices(y, 4)
    np.testing.assert_allclose(si, pattern / pattern.mean())
    fc = Naive2(6, season_length=4).fit(_frame(y)).predict()
    np.testing.assert_allclose(fc["naive2"], np.tile(pattern * 10, 2)[:6])


def test_naive2_without_seasonality_is_naive() -> None:
    rng = np.random.default_rng(0)
    y = 100 + rng.normal(size=40).cumsum()
    assert not is_seasonal(y, 1)
    fc = Naive2(5, season_length=1).fit(_frame(y)).predict()
    np.testing.assert_allclose(fc["naive2"], np.full(5, y[-1]))


def test_naive2_needs_three_seasons_to_call_a_series_seasonal() -> None:
    y = np.tile([1.0, 5.0, 1.0, 5.0], 2) + 10  # only two seasons
    assert not is_seasonal(y, 4)
    np.testing.assert_allclose(seasonal_indices(y, 4), np.ones(4))


def test_naive2_hand_computed_with_trend() -> None:
    # Multiplicative seasonality on a linear trend: indices from the 2x4 moving average.
    t = np.arange(16.0)
    pattern = np.array([0.8, 1.2, 1.1, 0.9])
    y = (50 + t) * pattern[t.astype(int) % 4]
    ma = centred_moving_average(y, 4)
    ratio = y / ma
    si = np.array([np.nanmean(ratio[k::4]) for k in range(4)])
    si = si / si.mean()
    expected = y[-1] / si[15 % 4] * si[np.arange(16, 20) % 4]
    fc = Naive2(4, season_length=4).fit(_frame(y)).predict()
    np.testing.assert_allclose(fc["naive2"], expected)


def test_log_models_refuse_non_positive_data() -> None:
    with pytest.raises(DataError, match="auto_ets_log models log"):
        AutoETSLog(3, season_length=1).fit(_frame([1.0, 0.0, 2.0, 3.0, 4.0, 5.0])).predict()


def test_statsforecast_models_on_airpassengers() -> None:
    df = load_dataset("airpassengers")
    train, test = df.iloc[:120], df.iloc[120:]
    scores = {}
    for cls in (AutoETS, AutoETSLog, Theta, ThetaLog):
        fc = cls(24).fit(train).predict()
        assert list(fc.columns) == ["unique_id", "ds", cls.name]
        scores[cls.name] = mase(test["y"], fc[cls.name], train["y"], 12)
    # AutoETS on log(y) is the strong classical reference (MASE 0.55 in ANCHORS.md)
    assert scores["auto_ets_log"] == pytest.approx(0.553, abs=0.01)
    assert scores["auto_ets_log"] < scores["auto_ets"]


def test_seasonal_drift_hand_computed() -> None:
    from rnnforecast.baselines.benchmarks import SeasonalDrift

    y = np.array([1.0, 2.0, 3.0, 2.0, 4.0, 5.0])  # m = 3: seasonal log differences
    z = np.log(y)
    drift = np.mean(z[3:] - z[:3])
    expected = np.exp([z[3] + drift, z[4] + drift, z[5] + drift, z[3] + 2 * drift])
    fc = SeasonalDrift(4, season_length=3).fit(_frame(y)).predict()
    np.testing.assert_allclose(fc["seasonal_drift"], expected)
    # with a non-positive value it works on the raw scale
    y2 = np.array([0.0, 2.0, 3.0, 1.0, 4.0, 5.0])
    raw = SeasonalDrift(2, season_length=3).fit(_frame(y2)).predict()["seasonal_drift"]
    np.testing.assert_allclose(raw, [1.0 + 5 / 3, 4.0 + 5 / 3])


def test_a_series_too_tiny_for_statsforecast_is_one_clear_error() -> None:
    # statsforecast's AutoETS raises NotImplementedError("tiny datasets") on 6 points
    with pytest.raises(DataError, match="auto_ets cannot be fitted to a series of 6 points"):
        AutoETS(3, season_length=1).fit(_frame([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).predict()
