"""Split-conformal prediction intervals (``conformal=True``, any model, baselines too via
`conformal_frame`).

The model is refitted on each series minus its last ``horizon`` points (``windows``
stretches, each one ``horizon`` earlier), forecasts the held-out stretch, and its absolute
errors, divided by each series' MASE scale (mean absolute seasonal difference of the part it
was fitted on), are pooled across series and windows per horizon step. The radius at level l
is the finite-sample conformal quantile (the ceil((n + 1) l/100)-th smallest of n scores);
the interval is point -+ radius * scale of the series' full training data. Steps with too few
scores for a level share one radius pooled over all steps.

Works on anything with ``fit(frame).predict()``: it imports no `Forecaster` (the
Forecaster's fit calls `calibrate_forecaster` on itself) and nothing of `evaluation/`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.splits import backtest_splits
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.forecaster.inputs import forecast_with_future
from rnnforecast.levels import check_levels, format_level, interval_columns
from rnnforecast.metrics import mase_scale

__all__ = ["Calibration", "calibrate", "calibrate_forecaster", "conformal_frame",
           "conformal_radius", "series_scale"]

#: conformal windows when none is given: enough that every horizon step pools about this
#: many scores, at most `MAX_WINDOWS` refits
MIN_SCORES = 50
MAX_WINDOWS = 3


@dataclass
class Calibration:
    """A fitted conformal calibration: per level (ascending) and horizon step, the radius in
    units of a series' scale; the scale of every training series; how it was obtained."""

    levels: list[float]
    radius: list[list[float]]
    scales: dict[str, float] = field(default_factory=dict)
    windows: int = 1
    scores: int = 0  # calibration scores per horizon step (pooled over series and windows)
    pooled: list[bool] = field(default_factory=list)  # per level: one radius for all steps

    def bounds(self, point: np.ndarray, scale: float, h: int, nonnegative: bool) -> np.ndarray:
        """(2L, h) bounds around ``point`` for a series of ``scale``."""
        steps = len(self.radius[0])
        if h > steps:
            raise ConfigError(
                f"the conformal intervals were calibrated for {steps} steps; forecast at most "
                f"{steps} steps, or refit with a longer horizon"
            )
        rows = []
        for radius in self.radius:
            r = np.asarray(radius[:h], dtype=np.float64) * (scale if np.isfinite(scale) else 0.0)
            lo, hi = point - r, point + r
            if nonnegative:
                lo = np.where(point >= 0, np.maximum(lo, 0.0), lo)
            rows += [lo, hi]
        return np.stack(rows)

    def to_json(self) -> dict[str, Any]:
        return {"levels": self.levels, "radius": self.radius, "scales": self.scales,
                "windows": self.windows, "scores": self.scores, "pooled": self.pooled}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        return cls(levels=[float(v) for v in data["levels"]],
                   radius=[[float(v) for v in row] for row in data["radius"]],
                   scales={str(k): float(v) for k, v in data["scales"].items()},
                   windows=int(data["windows"]), scores=int(data["scores"]),
                   pooled=[bool(v) for v in data["pooled"]])


def conformal_radius(scores: np.ndarray, level: float) -> float:
    """The finite-sample split-conformal quantile: the ceil((n + 1) level/100)-th smallest
    score (inf when n is too small for the level)."""
    n = scores.size
    k = math.ceil((n + 1) * level / 100.0)
    if n == 0 or k > n:
        return math.inf
    return float(np.sort(scores)[k - 1])


def series_scale(y: np.ndarray, season: int) -> float:
    """The MASE scale of ``y`` (NaN below 2 points): the unit of the conformal radius. A
    series that repeats its season exactly has a MASE scale of 0, which would drop its
    scores (and leave a one-series fit nothing to calibrate on): its mean absolute step is
    the unit then, and 1 (the data's units) for a series that never moves."""
    if y.size < 2:
        return math.nan
    scale = mase_scale(y, season)
    if scale != 0.0:  # a positive scale, or NaN/inf: as before
        return scale
    step = float(np.mean(np.abs(np.diff(y))))
    return step if step > 0 else 1.0


def _groups(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(u): g for u, g in frame.groupby("unique_id", sort=False)}


def calibrate(
    build: Callable[[], Any],
    train: pd.DataFrame,
    *,
    column: str,
    horizon: int,
    levels: Sequence[float],
    season: int,
    min_length: int = 2,
    windows: int | None = None,
) -> Calibration:
    """Split-conformal calibration of the model that ``build()`` makes (anything with
    ``fit(frame).predict()`` returning ``unique_id, ds, <column>``) on ``train`` (long
    frame). ``windows`` ``None`` picks enough for `MIN_SCORES` scores per step (at most
    `MAX_WINDOWS`); series shorter than ``min_length`` after a cut sit that window out."""
    lv = check_levels(levels)
    groups = _groups(train)
    if windows is None:
        windows = max(1, min(MAX_WINDOWS, math.ceil(MIN_SCORES / max(1, len(groups)))))
    scores: list[np.ndarray] = []  # per window: (series, horizon)
    for fit_part, held in backtest_splits(train, horizon, windows, horizon):
        sizes = fit_part.groupby("unique_id", sort=False).size()
        held_sizes = held.groupby("unique_id", sort=False).size()
        keep = [u for u in sizes.index if sizes[u] >= min_length
                and held_sizes.get(u, 0) == horizon]
        if not keep:
            continue
        fit_part = fit_part[fit_part["unique_id"].isin(keep)].reset_index(drop=True)
        held = held[held["unique_id"].isin(keep)]
        fc = forecast_with_future(build().fit(fit_part), held)
        merged = held[["unique_id", "ds", "y"]].merge(fc[["unique_id", "ds", column]],
                                                      on=["unique_id", "ds"], how="left")
        actual = merged["y"].to_numpy(dtype=np.float64).reshape(len(keep), horizon)
        point = merged[column].to_numpy(dtype=np.float64).reshape(len(keep), horizon)
        parts = _groups(fit_part)
        scale = np.array([series_scale(parts[str(u)]["y"].to_numpy(dtype=np.float64), season)
                          for u in dict.fromkeys(merged["unique_id"].astype(str))])
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.abs(actual - point) / scale[:, None]
        scores.append(s[np.isfinite(s).all(axis=1)])
    pool = np.concatenate(scores) if scores else np.empty((0, horizon))
    if pool.shape[0] == 0:
        raise DataError(
            f"no series is long enough to calibrate conformal intervals (each needs "
            f"{min_length + horizon} points); use more data, a shorter horizon or drop "
            "conformal=True"
        )
    radius, pooled = [], []
    for level in lv:
        per_step = [conformal_radius(pool[:, k], level) for k in range(horizon)]
        if all(math.isfinite(r) for r in per_step):
            radius.append(per_step)
            pooled.append(False)
            continue
        everything = conformal_radius(pool.ravel(), level)
        if not math.isfinite(everything):
            raise DataError(
                f"{pool.size} calibration errors are too few for a {format_level(level)}% "
                "conformal interval; use more series or data, or a lower level"
            )
        radius.append([everything] * horizon)
        pooled.append(True)
    scales = {uid: series_scale(g["y"].to_numpy(dtype=np.float64), season)
              for uid, g in groups.items()}
    return Calibration(lv, radius, scales, windows, int(pool.shape[0]), pooled)


def calibrate_forecaster(forecaster: Any, frame: pd.DataFrame) -> Calibration:
    """Conformal calibration of a `Forecaster` just fitted on ``frame``: clones with the
    same settings (no intervals) refitted on the data minus the last horizon(s)."""
    params = dict(forecaster.get_params(), levels=None, conformal=False, quiet=True)
    cls = type(forecaster)
    return calibrate(lambda: cls(**params), frame, column=forecaster.model,
                     horizon=int(forecaster.horizon), levels=list(forecaster.levels or []),
                     season=int(forecaster.season_length_),
                     min_length=int(forecaster.horizon) + 2)


def conformal_frame(
    build: Callable[[], Any],
    train: pd.DataFrame,
    forecast: pd.DataFrame,
    *,
    column: str,
    horizon: int,
    levels: Sequence[float],
    season: int,
    windows: int | None = None,
) -> pd.DataFrame:
    """``forecast`` (``unique_id, ds, <column>`` of a model fitted on ``train``) with
    conformal interval columns: how `evaluate` gives any model, baselines included,
    intervals."""
    calibration = calibrate(build, train, column=column, horizon=horizon, levels=levels,
                            season=season, windows=windows)
    out = forecast.copy()
    nonneg = {uid: bool((g["y"] >= 0).all()) for uid, g in _groups(train).items()}
    cols = interval_columns(column, calibration.levels)
    values = np.empty((len(cols), len(out)))
    for uid, idx in out.groupby("unique_id", sort=False).indices.items():
        point = out[column].to_numpy(dtype=np.float64)[idx]
        scale = calibration.scales.get(str(uid), math.nan)
        values[:, idx] = calibration.bounds(point, scale, len(idx), nonneg.get(str(uid), False))
    for k, col in enumerate(cols):
        out[col] = values[k]
    return out
