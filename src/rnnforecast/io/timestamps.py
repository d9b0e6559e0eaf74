"""Timestamps as the package shows and keeps them. The one timestamp formatter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["as_timestamp", "ds_to_json", "format_ds"]


def format_ds(value: object) -> str:
    """A timestamp as messages and reports show it: the date alone at midnight, else the
    full time; anything else (an integer step) as written."""
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        t = pd.Timestamp(value)
        return str(t.date()) if t == t.normalize() else str(t)
    return str(value)


def as_timestamp(value: Any) -> int | pd.Timestamp:
    """A ``ds`` value as kept per series: an integer step as a Python int, anything else as a
    `pandas.Timestamp`."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    return pd.Timestamp(value)


def ds_to_json(value: Any) -> int | str:
    """A kept ``ds`` value (`as_timestamp`'s) for a JSON file: an integer step as it is, a
    timestamp in ISO 8601 (which `as_timestamp` reads back)."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return int(value)
