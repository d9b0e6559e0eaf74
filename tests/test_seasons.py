"""The level framing's season: hourly series with a weekly cycle are deseasonalised by week."""

from __future__ import annotations

import numpy as np

from rnnforecast.data.seasons import HOURS_PER_WEEK, framing_season


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
