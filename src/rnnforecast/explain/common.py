"""Small helpers the explain commands share: the data's season, sensible default horizons,
and a one-table summary of the data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.frequency import series_frequency
from rnnforecast.data.seasons import season_for
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.io.timestamps import format_ds

__all__ = ["data_summary", "default_horizon", "default_lookback", "frequency_of", "season_of"]


def frequency_of(frame: pd.DataFrame) -> str:
    """The frequency of the first series (the reader checks that the data has one)."""
    uid, first = next(iter(frame.groupby("unique_id", sort=False)))
    return series_frequency(first, str(uid))


def season_of(frame: pd.DataFrame, season_length: int | None = None) -> int:
    """The season length: given, or from the data's frequency (12 monthly, 7 daily, ...)."""
    if season_length is not None:  # the frequency is not looked up when not needed
        return int(season_length)
    return season_for(frequency_of(frame))


def default_horizon(frame: pd.DataFrame, seasons: int, season_length: int | None = None,
                    share: float = 0.25) -> int:
    """``seasons`` seasons (6 steps when the data has no season), at most ``share`` of the
    shortest series, at least 1."""
    m = season_of(frame, season_length)
    wanted = seasons * m if m > 1 else 6
    shortest = int(frame.groupby("unique_id", sort=False).size().min())
    return max(1, min(wanted, int(shortest * share)))


def default_lookback(frame: pd.DataFrame, horizon: int, wanted: int) -> int:
    """``wanted`` steps, or fewer when the longest series cannot give a training window with
    it (lookback + horizon + 1 <= its length)."""
    longest = int(frame.groupby("unique_id", sort=False).size().max())
    limit = longest - horizon - 1
    if limit < 1:
        raise DataError(f"the longest series has {longest} points: too short for horizon "
                        f"{horizon}; use a shorter horizon or more data")
    return max(1, min(wanted, limit))


def check_int(value: Any, name: str, minimum: int = 1) -> None:
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= minimum
    if not ok:
        raise ConfigError(f"{name}={value!r} is invalid: use an integer >= {minimum}")


def data_summary(frame: pd.DataFrame, season_length: int | None = None) -> dict[str, Any]:
    """Counts, span, frequency, season length and value range of the data."""
    sizes = frame.groupby("unique_id", sort=False).size()
    y = frame["y"].to_numpy(dtype=np.float64)
    return {
        "series": int(sizes.size),
        "points": len(frame),
        "shortest": int(sizes.min()),
        "longest": int(sizes.max()),
        "first": format_ds(frame["ds"].min()),
        "last": format_ds(frame["ds"].max()),
        "frequency": frequency_of(frame),
        "season_length": season_of(frame, season_length),
        "min": float(np.min(y)),
        "median": float(np.median(y)),
        "max": float(np.max(y)),
        "all_positive": bool(np.all(y > 0)),
    }

