"""The history a model file keeps: each series' last points (its tail), read back as a long
``unique_id, ds, y`` frame with the timestamps rebuilt from the series' end and frequency.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.frequency import INT_PREFIX, is_integer_freq

__all__ = ["past_timestamps", "stored_history"]


def stored_history(states: Iterable[Any], freq: str) -> pd.DataFrame:
    """The stored history of fitted series (anything with ``unique_id``, ``last_ds`` and
    ``tail``, such as ``Forecaster.series_.values()``) at frequency ``freq`` (``freq_``):
    one row per kept point (the last lookback + season points of each series)."""
    parts = [pd.DataFrame({"unique_id": state.unique_id,
                           "ds": past_timestamps(state.last_ds, len(state.tail), freq),
                           "y": np.asarray(state.tail, dtype=np.float64)})
             for state in states]
    return pd.concat(parts, ignore_index=True)


def past_timestamps(last_ds: Any, n: int, freq: str) -> Any:
    """The ``n`` timestamps of a regular series ending at ``last_ds`` (integer steps as
    int64, dates as a `DatetimeIndex`)."""
    if is_integer_freq(freq):
        step = int(freq[len(INT_PREFIX):])
        return int(last_ds) - step * np.arange(n - 1, -1, -1, dtype=np.int64)
    return pd.date_range(end=pd.Timestamp(last_ds), periods=n, freq=freq)
