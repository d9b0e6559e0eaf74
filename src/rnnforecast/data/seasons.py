"""Seasons: which season a series has, the M4 seasonality test, and the classical
multiplicative seasonal indices (Naive2, Theta and the level framing deseasonalise with them).

Which season: the ``season_length`` given, else the default of the series' frequency (12
monthly, 4 quarterly, 7 daily, 24 hourly, 52 weekly, 1 yearly and for integer indexes):
`season_for`, the one place that decides it.

Which season the level framing deseasonalises a series with (`framing_season`): hourly data
repeat daily (24 steps) and weekly (168 steps: weekdays differ from weekends). With the daily
season the network had to learn each series' weekly pattern from windows of 48 hours that
cannot see it; dividing by 168-step indices (which hold the daily pattern as well) takes it
out before the network sees the series. On the M4 hourly validation (last 48 training points
held out, seed 0) this alone took sMAPE from 12.05 to 10.14 and MASE from 1.149 to 1.078
(BENCHMARKS.md, "M4 hourly: choosing the weekly season"). The rule: a season of 24 (hours in
a day) becomes the week when the M4 seasonality test finds a weekly season (it needs three
weeks of data); otherwise, and for every other season, the given season is kept (1 when the
series is too short for one seasonal reference plus a target).

Which indices: the classical ones (`seasonal_indices`, every season weighed alike) for
Naive2 and Theta, as M4 defines them; the level framing's follow the recent seasons
(`recent_seasonal_indices`). Seasons drift: over 37 years of Australian retail turnover the
December peak grows and the other months move, and indices averaged evenly over all those
years describe none of them well, least of all the last ones, which the forecast continues.
Weighing each season's ratios by exp(-age / 3 seasons) took the dev set's Australian retail
panel (validation split, seed 0) from MASE 1.614 / rel 0.893 to 1.383 / 0.777 (AutoETS
1.537 / 0.816); see BENCHMARKS.md, "Seasons that drift".

The seasonality test (`is_seasonal`) is M4's: a series with ``season > 1`` and at least three
seasons of data is seasonal when its lag-m autocorrelation exceeds a 90% limit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnforecast.data.frequency import season_length_for, series_frequency

__all__ = [
    "HOURS_PER_DAY",
    "HOURS_PER_WEEK",
    "autocorrelation",
    "centred_moving_average",
    "framing_season",
    "is_seasonal",
    "recent_seasonal_indices",
    "season_for",
    "seasonal_indices",
    "series_season",
]

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 168
#: the level framing's seasonal memory: a season's ratios to the trend weigh
#: exp(-age / SEASON_MEMORY), age counted in seasons back from the last point
SEASON_MEMORY = 3.0


def season_for(freq: str, season_length: int | None = None) -> int:
    """The season length of a series of frequency ``freq``: ``season_length`` when given,
    else the frequency's default (`rnnforecast.data.frequency.season_length_for`)."""
    return int(season_length) if season_length is not None else season_length_for(freq)


def series_season(series: pd.DataFrame, uid: str,
                  season_length: int | None) -> tuple[str, int]:
    """A series' frequency (as the reader found it, else inferred) and its season length
    (`season_for`)."""
    freq = series_frequency(series, uid)
    return freq, season_for(freq, season_length)


def framing_season(y: np.ndarray, season: int, out_size: int) -> int:
    """The season whose multiplicative indices the level framing removes from ``y``."""
    if season == HOURS_PER_DAY and np.all(y > 0) and is_seasonal(y, HOURS_PER_WEEK):
        return HOURS_PER_WEEK
    if len(y) < season + out_size:
        return 1  # too short for one seasonal reference plus a target: non-seasonal
    return season


def autocorrelation(y: np.ndarray, lag: int) -> float:
    """Sample autocorrelation at ``lag`` (0 for a constant series)."""
    x = y - y.mean()
    denom = float(np.sum(x * x))
    return 0.0 if denom == 0 else float(np.sum(x[:-lag] * x[lag:]) / denom)


def is_seasonal(y: np.ndarray, season: int) -> bool:
    """M4's 90% test: |acf(m)| > 1.645 sqrt((1 + 2 sum_{k<m} acf(k)^2) / n)."""
    if season <= 1 or len(y) < 3 * season:
        return False
    s = sum(autocorrelation(y, k) ** 2 for k in range(1, season))
    limit = 1.645 * np.sqrt((1 + 2 * s) / len(y))
    return abs(autocorrelation(y, season)) > limit


def _has_multiplicative_season(y: np.ndarray, season: int) -> bool:
    """A season the M4 test finds, in values that are all positive (a ratio to the trend
    means nothing otherwise)."""
    return is_seasonal(y, season) and not np.any(y <= 0)


def seasonal_indices(y: np.ndarray, season: int) -> np.ndarray:
    """Multiplicative seasonal indices by position ``t mod season`` (all 1 when the series is
    not seasonal or has non-positive values, where a ratio to the trend means nothing)."""
    if not _has_multiplicative_season(y, season):
        return np.ones(max(season, 1))
    ratio = y / centred_moving_average(y, season)
    padded = np.full(-(-len(y) // season) * season, np.nan)
    padded[: len(y)] = ratio
    si = np.nanmean(padded.reshape(-1, season), axis=0)
    return np.asarray(si / si.mean(), dtype=np.float64)


def recent_seasonal_indices(y: np.ndarray, season: int,
                            memory: float = SEASON_MEMORY) -> np.ndarray:
    """Multiplicative seasonal indices by position ``t mod season`` in which the recent
    seasons count most (weights exp(-age / memory), age in seasons); all 1 where
    `seasonal_indices` finds no season."""
    if not _has_multiplicative_season(y, season):
        return np.ones(max(season, 1))
    ratio = y / centred_moving_average(y, season)
    known = np.isfinite(ratio)
    age = (len(y) - 1 - np.arange(len(y))) / season
    weight = np.exp(-age / memory) * known
    position = np.arange(len(y)) % season
    total = np.bincount(position, weights=weight * np.where(known, ratio, 0.0),
                        minlength=season)
    si = total / np.bincount(position, weights=weight, minlength=season)
    return np.asarray(si / si.mean(), dtype=np.float64)


def centred_moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average (2 x m for even m); NaN where the window does not fit."""
    if window % 2 == 0:
        weights = np.r_[0.5, np.ones(window - 1), 0.5] / window
    else:
        weights = np.ones(window) / window
    half = len(weights) // 2
    out = np.full(len(y), np.nan)
    if len(y) >= len(weights):
        out[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    return out
