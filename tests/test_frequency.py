"""Frequencies: inference (with gaps), season lengths, calendar continuation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rnnforecast import DataError
from rnnforecast.data.frequency import (
    expected_timestamps,
    future_timestamps,
    infer_frequency,
    is_integer_freq,
    season_length_for,
)


@pytest.mark.parametrize(
    ("freq", "expected"),
    [("MS", "MS"), ("ME", "ME"), ("QS", "QS-JAN"), ("D", "D"), ("h", "h"), ("W-SUN", "W-SUN"),
     ("YS", "YS-JAN"), ("15min", "15min")],
)
def test_infer_regular_dates(freq: str, expected: str) -> None:
    assert infer_frequency(pd.date_range("2021-01-01", periods=12, freq=freq)) == expected


@pytest.mark.parametrize("freq", ["MS", "D", "h", "QS-JAN"])
def test_infer_with_missing_steps(freq: str) -> None:
    idx = pd.date_range("2021-01-01", periods=12, freq=freq).delete([3, 4, 8])
    assert infer_frequency(idx) == freq


def test_infer_integer_steps() -> None:
    assert infer_frequency(np.array([1, 2, 3, 5], dtype=np.int64)) == "int:1"
    assert infer_frequency(np.array([0, 2, 4, 8], dtype=np.int64)) == "int:2"
    assert infer_frequency(np.array([0, 3, 5, 6], dtype=np.int64)) == "int:1"  # gcd of steps
    assert is_integer_freq("int:1")
    assert not is_integer_freq("MS")


@pytest.mark.parametrize(
    ("start", "freq"),
    [("2020-01-01", "MS"), ("2020-01-01", "QS-JAN"), ("2020-02-01", "QS-FEB"),
     ("2020-01-01", "YS-JAN"), ("2020-03-01", "YS-MAR"), ("2020-01-01", "D"),
     ("2020-01-05", "W-SUN"), ("2020-01-01", "W-WED"), ("2020-01-01", "h"),
     ("2020-01-01", "15min"), ("2020-01-01", "2MS")],
)
def test_two_points_give_the_frequency_more_points_would(start: str, freq: str) -> None:
    many = pd.date_range(start, periods=6, freq=freq)
    assert infer_frequency(many) == freq
    assert infer_frequency(many[:2]) == freq


def test_irregular_dates_are_refused_with_the_series_name() -> None:
    idx = pd.to_datetime(["2020-01-01", "2020-01-04", "2020-01-09", "2020-01-10", "2020-02-27"])
    with pytest.raises(DataError, match=r"regular frequency.*series 'x'.*2020-01-01"):
        infer_frequency(idx, "x")


def test_one_timestamp_is_refused() -> None:
    with pytest.raises(DataError, match="at least two points"):
        infer_frequency(pd.to_datetime(["2020-01-01"]))


def test_inference_does_not_warn() -> None:
    # pandas 3.1 warns (Pandas4Warning) on every pd.infer_freq call unless told otherwise
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert infer_frequency(pd.date_range("2021-01-01", periods=8, freq="MS")) == "MS"
        assert infer_frequency(pd.date_range("2021-01-01", periods=8, freq="D").delete(3)) == "D"


@pytest.mark.parametrize(
    ("freq", "season"),
    [("MS", 12), ("ME", 12), ("QS-JAN", 4), ("QS", 4), ("D", 7), ("h", 24), ("W-SUN", 52),
     ("YS-JAN", 1), ("B", 5), ("int:1", 1), ("int:7", 1), ("2MS", 1), ("15min", 1)],
)
def test_season_length_for(freq: str, season: int) -> None:
    assert season_length_for(freq) == season


def test_future_timestamps_dates_and_integers() -> None:
    got = future_timestamps(pd.Timestamp("1960-12-01"), "MS", 3)
    assert list(got) == list(pd.to_datetime(["1961-01-01", "1961-02-01", "1961-03-01"]))
    assert list(future_timestamps(10, "int:1", 3)) == [11, 12, 13]
    assert list(future_timestamps(np.int64(10), "int:5", 2)) == [15, 20]
    hours = future_timestamps(pd.Timestamp("2020-01-01 23:00"), "h", 2)
    assert list(hours) == [pd.Timestamp("2020-01-02 00:00"), pd.Timestamp("2020-01-02 01:00")]


def test_expected_timestamps() -> None:
    got = expected_timestamps(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-04-01"), "MS")
    assert len(got) == 4
    assert list(expected_timestamps(2, 8, "int:2")) == [2, 4, 6, 8]
