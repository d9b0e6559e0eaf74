"""Prediction intervals in evaluation: the intervals a protocol's models get
(`protocol_intervals`) and the interval columns of forecast frames, read for scoring and
tables (``lo-<l>``/``hi-<l>`` in the long frame, ``<model>-lo-<l>`` in the wide one)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.seasons import series_season
from rnnforecast.forecaster.conformal import conformal_frame
from rnnforecast.levels import format_level

__all__ = ["interval_arrays", "interval_values", "protocol_intervals", "wide_intervals"]

_BOUND = re.compile(r"^(?P<side>lo|hi)-(?P<level>\d+(?:\.\d+)?)$")


def protocol_intervals(
    name: str,
    build: Callable[[], Any],
    train: pd.DataFrame,
    forecast: pd.DataFrame,
    *,
    horizon: int,
    season_length: int | None,
    options: Mapping[str, Any],
) -> pd.DataFrame:
    """An evaluation protocol's forecast of model ``name`` with the intervals ``options``
    (the Forecaster keywords) ask for: networks make their own (quantile heads or
    conformal); any other model gets conformal intervals when ``conformal`` is set, and
    none otherwise."""
    levels, conformal = options.get("levels"), bool(options.get("conformal", False))
    if levels is None or not conformal or f"{name}-lo-{format_level(min(levels))}" in forecast:
        return forecast
    uid, first = next(iter(_groups(train).items()))
    season = series_season(first, uid, season_length)[1]
    return conformal_frame(build, train, forecast, column=name, horizon=horizon,
                           levels=levels, season=season)


def interval_values(forecast: pd.DataFrame, name: str) -> dict[str, np.ndarray]:
    """The interval columns of model ``name`` as the long frame's ``lo-<l>``/``hi-<l>``."""
    prefix = f"{name}-"
    return {str(c)[len(prefix):]: forecast[c].to_numpy(dtype=np.float64)
            for c in forecast.columns
            if str(c).startswith(prefix) and _BOUND.match(str(c)[len(prefix):])}


def interval_arrays(group: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Level -> (lower, upper) from a long frame's ``lo-<l>``/``hi-<l>`` columns, for the
    levels this model has (no NaN)."""
    out = {}
    for col in group.columns:
        match = _BOUND.match(str(col))
        if match and match["side"] == "lo" and f"hi-{match['level']}" in group.columns:
            lo = group[col].to_numpy(dtype=np.float64)
            hi = group[f"hi-{match['level']}"].to_numpy(dtype=np.float64)
            if not (np.isnan(lo).any() or np.isnan(hi).any()):
                out[match["level"]] = (lo, hi)
    return out


def wide_intervals(long: pd.DataFrame) -> pd.DataFrame | None:
    """A long forecast frame's interval columns as ``unique_id, ds, <model>-lo-<l>...``
    (``None`` when no model has intervals)."""
    bounds = [str(c) for c in long.columns if _BOUND.match(str(c))]
    if not bounds:
        return None
    parts = []
    for model, group in long.groupby("model", sort=False):
        have = [c for c in bounds if group[c].notna().all()]
        if have:
            part = group[["unique_id", "ds", *have]].rename(
                columns={c: f"{model}-{c}" for c in have})
            parts.append(part.set_index(["unique_id", "ds"]))
    return pd.concat(parts, axis=1).reset_index() if parts else None


def _groups(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(u): g for u, g in frame.groupby("unique_id", sort=False)}
