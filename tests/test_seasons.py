"""The level framing's season: hourly series with a weekly cycle are deseasonalised by week."""

from __future__ import annotations

import numpy as np

from rnnforecast.data.seasons import (
    HOURS_PER_WEEK,
    framing_season,
    recent_seasonal_indices,
    seasonal_indices,
)


def hourly(weeks: int, weekly: bool, daily: bool = True) -> np.ndarray:
    t = np.arange(weeks * HOURS_PER_WEEK)
    day = 1 + 0.3 * np.sin(2 * np.pi * t / 24) if daily else 1.0
    week = np.where((t // 24) % 7 >= 5, 0.6, 1.0) if weekly else 1.0
    noise = 1 + 0.01 * np.random.default_rng(0).standard_normal(t.size)
    return np.asarray(100 * day * week * noise, dtype=np.float64)


def test_hourly_series_with_a_weekly_cycle_use_the_week() -> None:
    assert framing_season(hourly(5, weekly=True), 24, 48) == HOURS_PER_WEEK


def test_without_a_cycle_or_three_weeks_the_day_stays() -> None:
    # (a daily cycle alone repeats weekly too: its weekly indices are 7 copies of the day)
    assert framing_season(hourly(5, weekly=False), 24, 48) == HOURS_PER_WEEK
    assert framing_season(hourly(5, weekly=False, daily=False), 24, 48) == 24
    assert framing_season(hourly(2, weekly=True), 24, 48) == 24  # too short for the test


def test_other_seasons_are_kept_and_short_series_are_non_seasonal() -> None:
    y = hourly(5, weekly=True)
    assert framing_season(y, 12, 18) == 12
    assert framing_season(y, 7, 14) == 7
    assert framing_season(y[:20], 12, 18) == 1
    assert framing_season(-y, 24, 48) == 24  # no multiplicative indices for values <= 0


def test_season_for_the_given_length_else_the_frequency_default() -> None:
    from rnnforecast.data.seasons import season_for

    assert season_for("MS") == 12
    assert season_for("MS", 4) == 4
    assert season_for("int:1") == 1


def drifting_season(years: int = 30) -> np.ndarray:
    """A monthly series whose December peak grows from 1.0 to 1.6 times the level over the
    years, the other months sharing the rest evenly."""
    t = np.arange(12 * years)
    peak = 1.0 + 0.6 * (t // 12) / (years - 1)
    factor = np.where(t % 12 == 11, peak, (12 - peak) / 11)
    return 100.0 * (1.0 + 0.002 * t) * factor


def test_recent_indices_follow_a_drifting_season() -> None:
    """The forecast continues the last seasons: the recent indices are near the last years'
    December peak (1.6; a memory of 3 seasons lags it by about 0.07), the classical ones at
    the 30-year average (1.3)."""
    y = drifting_season()
    recent, classical = recent_seasonal_indices(y, 12), seasonal_indices(y, 12)
    assert abs(recent[11] - 1.6) < 0.1
    assert abs(classical[11] - 1.3) < 0.03
    assert abs(recent.mean() - 1.0) < 1e-12


def test_recent_indices_equal_the_classical_ones_for_a_fixed_season() -> None:
    t = np.arange(120)
    y = (50 + t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
    np.testing.assert_allclose(recent_seasonal_indices(y, 12), seasonal_indices(y, 12),
                               rtol=2e-3)


def test_recent_indices_are_ones_without_a_season() -> None:
    rng = np.random.default_rng(0)
    noise = 100 + rng.normal(0, 1, 120)
    assert recent_seasonal_indices(noise, 12).tolist() == [1.0] * 12
    assert recent_seasonal_indices(-noise, 12).tolist() == [1.0] * 12
