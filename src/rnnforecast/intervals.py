"""Prediction intervals: quantile heads and split-conformal calibration.

Two ways to get ``<model>-lo-<level>`` / ``<model>-hi-<level>`` columns (levels in percent,
named like statsforecast and neuralforecast: 80 -> "80", 97.5 -> "97.5"):

- Quantile heads (``Forecaster(levels=[80, 95])``): the direct network predicts, per horizon
  step, the point plus the quantiles ``(1 - l/100)/2`` and ``1 - (1 - l/100)/2`` of every
  level, trained with the pinball loss (`rnnforecast.training.pinball`). Outputs are mapped
  back like the point (the framing's `reconstruct`, then exp: both monotone, so quantiles
  stay quantiles), then sorted and clamped around the point so that intervals never cross.
- Split conformal (``conformal=True``, any model, baselines too via `conformal_frame`):
  the model is refitted on each series minus its last ``horizon`` points (``windows``
  stretches, each one ``horizon`` earlier), forecasts the held-out stretch, and its absolute
  errors, divided by each series' MASE scale (mean absolute seasonal difference of the part
  it was fitted on), are pooled across series and windows per horizon step. The radius at
  level l is the finite-sample conformal quantile (the ceil((n + 1) l/100)-th smallest of
  n scores); the interval is point -+ radius * scale of the series' full training data.
  Steps with too few scores for a level share one radius pooled over all steps.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rnnforecast.errors import ConfigError, DataError
from rnnforecast.metrics import mase_scale

if TYPE_CHECKING:
    from rnnforecast.forecaster import Forecaster, SeriesState

__all__ = [
    "Calibration",
    "calibrate",
    "check_levels",
    "conformal_frame",
    "format_level",
    "interval_columns",
    "parse_levels",
    "quantiles_for",
]

#: conformal windows when none is given: enough that every horizon step pools about this
#: many scores, at most `MAX_WINDOWS` refits
MIN_SCORES = 50
MAX_WINDOWS = 3


# ----------------------------------------------------------------------------- levels


def format_level(level: float) -> str:
    """A level as it appears in column names: 80 -> "80", 97.5 -> "97.5"."""
    value = float(level)
    return str(int(value)) if value.is_integer() else repr(value)


def check_levels(levels: Any, name: str = "levels") -> list[float]:
    """The levels, sorted ascending; `ConfigError` unless a non-empty list of distinct
    numbers in (0, 100)."""
    what = (f"{name}={levels!r} is invalid: use a list of distinct percentages in (0, 100), "
            "e.g. [80, 95]")
    if isinstance(levels, (str, bytes)) or not isinstance(levels, Iterable):
        raise ConfigError(what)
    values = list(levels)
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, float, np.number))
                         for v in values):
        raise ConfigError(what)
    floats = [float(v) for v in values]
    if any(not (0.0 < v < 100.0) for v in floats) or len(set(floats)) != len(floats):
        raise ConfigError(what)
    return sorted(floats)


def parse_levels(text: str | Sequence[Any] | None, option: str = "--levels") -> list[float] | None:
    """``"80,95"`` (the CLI) or a list (a config file) as a checked list of levels."""
    if text is None:
        return None
    return check_levels(level_values(text, option), option)


def level_values(text: str | Sequence[Any] | float, option: str = "--levels") -> list[Any]:
    """The numbers of ``"80,95"``, a list or one number, not yet checked as levels."""
    if isinstance(text, str):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        try:
            return [float(p) for p in parts]
        except ValueError:
            raise ConfigError(f"{option} '{text}' is invalid: use comma-separated percentages "
                              "in (0, 100), e.g. 80,95") from None
    return list(text) if isinstance(text, (list, tuple)) else [text]


def quantiles_for(levels: Sequence[float]) -> list[float]:
    """The quantiles of the heads, in output order: for each level (ascending) its lower
    then its upper quantile."""
    out: list[float] = []
    for level in check_levels(levels):
        alpha = 1.0 - level / 100.0
        out += [alpha / 2.0, 1.0 - alpha / 2.0]
    return out


def interval_columns(model: str, levels: Sequence[float]) -> list[str]:
    """``<model>-lo-<l>``, ``<model>-hi-<l>`` for each level (ascending)."""
    out = []
    for level in check_levels(levels):
        out += [f"{model}-lo-{format_level(level)}", f"{model}-hi-{format_level(level)}"]
    return out


def order_bounds(point: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Non-crossing bounds: ``bounds`` (2L, h) in `quantiles_for` order are sorted per step
    and clamped around ``point`` (h,), so that lo_95 <= lo_80 <= point <= hi_80 <= hi_95.
    The point itself is never changed."""
    n = bounds.shape[0] // 2
    ranked = np.sort(bounds, axis=0)  # ascending: lows of the widest level first
    lows = np.minimum(ranked[:n], point[None, :])  # lows[j]: level index n-1-j
    highs = np.maximum(ranked[n:], point[None, :])  # highs[j]: level index j
    out = np.empty_like(bounds)
    for i in range(n):
        out[2 * i] = lows[n - 1 - i]
        out[2 * i + 1] = highs[i]
    return out


# ---------------------------------------------------------------------- params (Forecaster)


def check_params(forecaster: Forecaster) -> None:
    """The interval parameters of a `Forecaster` (called from its ``_check_params``)."""
    if forecaster.levels is not None:
        check_levels(forecaster.levels)
    if not isinstance(forecaster.conformal, bool):
        raise ConfigError(f"conformal={forecaster.conformal!r} is invalid: use True or False")
    if forecaster.conformal and forecaster.levels is None:
        raise ConfigError("conformal=True needs levels, e.g. levels=[80, 95] (--levels 80,95)")
    if forecaster.levels is not None and not forecaster.conformal \
            and forecaster.strategy == "recursive":
        raise ConfigError(
            "quantile heads need strategy='direct' (a recursive model would feed its own "
            "quantiles back); use strategy='direct' or conformal=True (--conformal)"
        )


def head_quantiles(forecaster: Forecaster) -> tuple[float, ...]:
    """The quantiles the network learns: none unless levels are set without conformal."""
    if forecaster.levels is None or forecaster.conformal:
        return ()
    return tuple(quantiles_for(forecaster.levels))


def output_blocks(forecaster: Forecaster) -> int:
    """Network outputs per horizon step: the point plus one per head quantile."""
    return 1 + len(head_quantiles(forecaster))


# ----------------------------------------------------------------------- quantile heads


def add_intervals(forecaster: Forecaster, states: list[SeriesState], frame: pd.DataFrame,
                  h: int, future: Any = None) -> pd.DataFrame:
    """``frame`` (the point forecasts, ``h`` rows per series in ``states`` order) with the
    interval columns of a fitted `Forecaster` (quantile heads or conformal). Quantile heads
    go through the Forecaster's own forecast path (``block`` k: head k's outputs), so they
    are reconstructed, exponentiated and clipped exactly like the point."""
    if forecaster.levels is None:
        return frame
    levels = check_levels(forecaster.levels)
    points = frame[forecaster.model].to_numpy(dtype=np.float64).reshape(len(states), h)
    if forecaster.conformal:
        calibration: Calibration = forecaster.conformal_
        bounds = []
        for s, point in zip(states, points, strict=True):
            scale = calibration.scales.get(s.unique_id)
            if scale is None:  # a series not seen in training: its recent history's scale
                scale = _scale(np.asarray(s.tail, dtype=np.float64), forecaster.season_length_)
            bounds.append(calibration.bounds(point, scale, h, s.nonnegative))
    else:
        heads = [forecaster._forecast_states(states, h, future, block=k)
                 for k in range(1, 1 + len(head_quantiles(forecaster)))]
        bounds = [order_bounds(p, np.stack([head[i] for head in heads]))
                  for i, p in enumerate(points)]
    stacked = np.concatenate(bounds, axis=1)  # (2L, series * h)
    out = frame.copy()
    for k, col in enumerate(interval_columns(forecaster.model, levels)):
        out[col] = stacked[k]
    return out


# --------------------------------------------------------------------------- conformal


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


def _scale(y: np.ndarray, season: int) -> float:
    if y.size < 2:
        return math.nan
    return mase_scale(y, season)


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
    from rnnforecast.evaluation.backtest import backtest_splits

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
        from rnnforecast.inputs import forecast_with_future

        fc = forecast_with_future(build().fit(fit_part), held)
        merged = held[["unique_id", "ds", "y"]].merge(fc[["unique_id", "ds", column]],
                                                      on=["unique_id", "ds"], how="left")
        actual = merged["y"].to_numpy(dtype=np.float64).reshape(len(keep), horizon)
        point = merged[column].to_numpy(dtype=np.float64).reshape(len(keep), horizon)
        parts = _groups(fit_part)
        scale = np.array([_scale(parts[str(u)]["y"].to_numpy(dtype=np.float64), season)
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
    scales = {uid: _scale(g["y"].to_numpy(dtype=np.float64), season)
              for uid, g in groups.items()}
    return Calibration(lv, radius, scales, windows, int(pool.shape[0]), pooled)


def calibrate_forecaster(forecaster: Forecaster, frame: pd.DataFrame) -> Calibration:
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


# -------------------------------------------------------------------------- evaluation

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
    from rnnforecast.evaluation.splits import series_season

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
