"""Baselines: forecasts checked against hand-computed values, calendars, the registry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnforecast import ConfigError, DataError
from rnnforecast.baselines import BASELINES, Baseline, Naive, SeasonalNaive, make_baseline


def monthly(values: list[float], start: str = "2020-01-01", uid: str = "s") -> pd.DataFrame:
    ds = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.asarray(values, dtype=float)})


def test_naive_repeats_the_last_value_on_the_following_dates() -> None:
    fc = Naive(horizon=3).fit(monthly([5.0, 7.0, 6.0, 9.0])).predict()
    assert list(fc.columns) == ["unique_id", "ds", "naive"]
    assert fc["naive"].tolist() == [9.0, 9.0, 9.0]
    assert fc["ds"].tolist() == list(pd.date_range("2020-05-01", periods=3, freq="MS"))
    assert fc["unique_id"].tolist() == ["s", "s", "s"]


def test_seasonal_naive_repeats_the_last_season_by_hand() -> None:
    y = [float(v) for v in range(1, 11)]  # 1..10, season 4: last season is 7, 8, 9, 10
    fc = SeasonalNaive(horizon=6, season_length=4).fit(monthly(y)).predict()
    assert fc["seasonal_naive"].tolist() == [7.0, 8.0, 9.0, 10.0, 7.0, 8.0]


def test_seasonal_naive_takes_the_season_from_the_frequency() -> None:
    t = np.arange(36)
    y = list(100 + t + 10 * (t % 12))  # monthly: season 12
    fc = SeasonalNaive(horizon=14).fit(monthly(y)).predict()
    assert fc["seasonal_naive"].tolist() == y[-12:] + y[-12:-10]
    quarterly = pd.DataFrame({
        "unique_id": "q", "ds": pd.date_range("2000-01-01", periods=9, freq="QS"),
        "y": [1.0, 2, 3, 4, 5, 6, 7, 8, 9]})
    fc = SeasonalNaive(horizon=5).fit(quarterly).predict()
    assert fc["seasonal_naive"].tolist() == [6.0, 7.0, 8.0, 9.0, 6.0]
    assert fc["ds"].iloc[0] == pd.Timestamp("2002-04-01")


def test_integer_index_continues_the_steps_and_has_season_one() -> None:
    frame = pd.DataFrame({"unique_id": "i", "ds": np.arange(10, 60, 10), "y": [1.0, 5, 2, 8, 3]})
    fc = SeasonalNaive(horizon=3).fit(frame).predict()
    assert fc["ds"].tolist() == [60, 70, 80]
    assert fc["seasonal_naive"].tolist() == [3.0, 3.0, 3.0]  # season 1 = naive


def test_series_shorter_than_a_season_falls_back_to_naive() -> None:
    fc = SeasonalNaive(horizon=2).fit(monthly([3.0, 4.0, 8.0])).predict()
    assert fc["seasonal_naive"].tolist() == [8.0, 8.0]


def test_many_series_each_forecast_from_its_own_end() -> None:
    frame = pd.concat([monthly([1.0, 2.0, 3.0], uid="a"),
                       monthly([10.0, 20.0, 30.0, 40.0], start="2021-01-01", uid="b")])
    fc = Naive(horizon=2).fit(frame).predict()
    a, b = fc[fc["unique_id"] == "a"], fc[fc["unique_id"] == "b"]
    assert a["naive"].tolist() == [3.0, 3.0]
    assert b["naive"].tolist() == [40.0, 40.0]
    assert a["ds"].iloc[0] == pd.Timestamp("2020-04-01")
    assert b["ds"].iloc[0] == pd.Timestamp("2021-05-01")


def test_predict_with_data_and_horizon_forecasts_after_the_new_data() -> None:
    model = Naive(horizon=2).fit(monthly([1.0, 2.0, 3.0]))
    fc = model.predict(horizon=4, data=monthly([1.0, 2.0, 3.0, 4.0, 11.0]))
    assert fc["naive"].tolist() == [11.0] * 4
    assert fc["ds"].iloc[0] == pd.Timestamp("2020-06-01")
    assert model.predict()["naive"].tolist() == [3.0, 3.0]  # predict does not change the model


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_invalid_horizon_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="horizon"):
        Naive(horizon=bad).fit(monthly([1.0, 2.0]))  # type: ignore[arg-type]


def test_predict_before_fit_and_bad_season_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="not fitted"):
        Naive(horizon=1).predict()
    with pytest.raises(ConfigError, match="season_length"):
        SeasonalNaive(horizon=1, season_length=0).fit(monthly([1.0, 2.0]))


def test_data_is_validated_by_the_reader() -> None:
    frame = monthly([1.0, np.nan, 3.0, 4.0])
    with pytest.raises(DataError, match="missing value"):
        Naive(horizon=1).fit(frame)
    fc = Naive(horizon=1, fill="interpolate").fit(frame).predict()
    assert fc["naive"].tolist() == [4.0]


def test_registry_names_match_the_forecast_columns() -> None:
    assert set(BASELINES) >= {"naive", "seasonal_naive"}
    for name, cls in BASELINES.items():
        assert cls.name == name and issubclass(cls, Baseline)
    for name in ("naive", "seasonal_naive"):
        fc = make_baseline(name, 2).fit(monthly([1.0, 2.0, 3.0])).predict()
        assert list(fc.columns) == ["unique_id", "ds", name]
    with pytest.raises(ConfigError, match=r"unknown baseline 'no_such'.*seasonal_naive"):
        make_baseline("no_such", 2)


def test_a_new_baseline_is_one_class() -> None:
    class Mean(Baseline):
        name = "mean"

        def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
            return np.full(horizon, y.mean())

    fc = Mean(horizon=2).fit(monthly([1.0, 2.0, 6.0])).predict()
    assert fc["mean"].tolist() == [3.0, 3.0]
    assert fc["ds"].iloc[-1] == pd.Timestamp("2020-05-01")
