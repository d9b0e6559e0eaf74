"""Forecast frames read back: the columns of a forecast (``unique_id, ds, <model>...`` with
``<model>-lo-<level>``/``<model>-hi-<level>`` intervals), a forecast CSV such as ``rnnforecast
predict`` writes, and the history split at a forecast's start.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from rnnforecast.errors import DataError

__all__ = ["forecast_columns", "read_forecast_csv", "split_at_forecast"]

_INTERVAL = re.compile(r"^(?P<model>.+)-(?P<side>lo|hi)-(?P<level>\d+(?:\.\d+)?)$")
_KEYS = ("unique_id", "ds", "y")


def forecast_columns(forecasts: pd.DataFrame) -> tuple[list[str], dict[str, list[str]]]:
    """The model columns of a forecast frame and, per model, its interval levels (those with
    both ``<model>-lo-<level>`` and ``<model>-hi-<level>`` columns)."""
    models: list[str] = []
    bounds: dict[str, set[tuple[str, str]]] = {}
    for col in forecasts.columns:
        name = str(col)
        match = _INTERVAL.match(name)
        if match:
            bounds.setdefault(match["model"], set()).add((match["side"], match["level"]))
        elif name not in _KEYS and pd.api.types.is_numeric_dtype(forecasts[col]):
            models.append(name)
    levels = {
        m: sorted({lvl for _, lvl in bounds.get(m, set())
                   if ("lo", lvl) in bounds[m] and ("hi", lvl) in bounds[m]},
                  key=float, reverse=True)
        for m in models
    }
    return models, levels


def read_forecast_csv(path: str | os.PathLike[str], history: pd.DataFrame) -> pd.DataFrame:
    """A forecast CSV (``unique_id, ds, <model>...``) with ``ds`` typed like the history's;
    a `DataError` when it is no forecast CSV or names a series the history lacks."""
    path = Path(path)
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise DataError(f"{path}: neither a model file nor a forecast CSV (binary content)")
    try:
        frame = pd.read_csv(io.BytesIO(raw))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise DataError(f"{path}: not a readable forecast CSV ({first})") from None
    missing = [c for c in ("unique_id", "ds") if c not in frame.columns]
    if missing or len(frame) == 0:
        raise DataError(
            f"{path}: a forecast CSV needs rows with columns unique_id, ds and one column per "
            f"model (found columns {list(frame.columns)}, {len(frame)} rows); write one with "
            "'rnnforecast predict MODEL --out forecast.csv'"
        )
    frame["unique_id"] = frame["unique_id"].astype(str)
    if pd.api.types.is_datetime64_any_dtype(history["ds"]):
        ds = pd.to_datetime(frame["ds"], errors="coerce")
    else:
        ds = pd.to_numeric(frame["ds"], errors="coerce")
    if ds.isna().any():
        i = int(np.argmax(ds.isna().to_numpy()))
        raise DataError(f"{path}: cannot read ds '{frame['ds'].iloc[i]}' at line {i + 2} as a "
                        "timestamp of the --data's kind")
    frame["ds"] = ds.astype(history["ds"].dtype) if ds.dtype.kind == "M" else ds.astype("int64")
    models, _ = forecast_columns(frame)
    if not models:
        raise DataError(f"{path}: no numeric forecast column besides unique_id and ds")
    unknown = sorted(set(frame["unique_id"]) - set(history["unique_id"]))
    if unknown:
        raise DataError(f"{path}: series '{unknown[0]}' is not in the --data; give the data "
                        "the forecast was made from")
    return frame


def split_at_forecast(history: pd.DataFrame,
                      forecast: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """History before each series' first forecast timestamp, and the actual values that
    fall inside the forecast's span (if the data covers it)."""
    bounds = forecast.groupby("unique_id")["ds"].agg(["min", "max"])
    joined = history.join(bounds, on="unique_id")
    past = history[(joined["min"].isna() | (joined["ds"] < joined["min"])).to_numpy()]
    inside = ((joined["ds"] >= joined["min"]) & (joined["ds"] <= joined["max"])).to_numpy()
    return past.reset_index(drop=True), history[inside].reset_index(drop=True)
