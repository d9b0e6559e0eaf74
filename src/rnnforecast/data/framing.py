"""How a series becomes network inputs and targets, and how outputs become a forecast.

Two framings, both on the transformed series z (log y when every training value is > 0):

- ``"level"`` (the default): the series is first divided by multiplicative seasonal
  indices that follow its recent seasons (`recent_seasonal_indices`: only when the M4
  seasonality test finds a season and every value is positive; Naive2 and Theta use the
  classical, evenly weighted ones), then each window is taken relative
  to its level, the mean of its last ``season`` values (at least ``min_span`` steps: 12 for
  panels, where a smoothed level serves M3 yearly and quarterly better; 1 on small data,
  where a single series' network cannot learn the offset from a 12-step mean back to the
  last value of a trend or a random walk).
  Inputs are (z_t - level) / s with an "observed" flag, targets (z_{T+k} - level) / s, where
  s is 1 on the log scale (differences of logs are already relative) and the mean absolute
  step change on the raw scale. The forecast is level + s * output, reseasonalised. This is
  what made one global LSTM beat Theta on M3 monthly (ANCHORS.md, BENCHMARKS.md).
- ``"seasonal"``: inputs are seasonal differences (z_t - z_{t-m}) / s, targets the residuals
  of the next values against the seasonal-naive forecast, s the mean absolute seasonal
  difference; a zero output is exactly seasonal naive (see `rnnforecast.data.windows`).

In both, a series that never changes gets s = 0 and its forecast is exactly its level, and
positions before a series' start are zero with flag 0, so short series still give windows.
Every state field is fitted on training data only and is JSON-serialisable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from rnnforecast.data.seasons import recent_seasonal_indices
from rnnforecast.data.windows import (
    input_features,
    input_windows,
    reference,
    series_scale,
    sliding_windows,
    targets,
    training_origins,
)

FloatArray = NDArray[np.float64]
F = TypeVar("F", bound=Callable[..., object])
FRAMINGS = ("level", "seasonal")
MIN_LEVEL_SPAN = 12  # panels; small data use SMALL_LEVEL_SPAN (the Forecaster chooses)
SMALL_LEVEL_SPAN = 1


def _quiet_overflow(func: F) -> F:
    """Values near the float64 limit overflow in differences and sums; the caller checks
    every window and forecast for finiteness and raises a clear error, so numpy's warnings
    would only add noise to that one message."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass
class FramingState:
    """A series' fitted framing: the season used, the scale s (0 = constant series), and for
    the level framing the seasonal indices by position ``t mod season`` and the level span."""

    season: int
    scale: float
    indices: list[float] = field(default_factory=list)
    span: int = 1


@_quiet_overflow
def fit_framing(
    framing: str, y: FloatArray, z: FloatArray, log: bool, season: int,
    min_span: int = MIN_LEVEL_SPAN,
) -> FramingState:
    """Fit the framing of one training series (``y`` raw, ``z`` transformed); the level
    framing's level is the mean of the last ``max(season, min_span)`` values."""
    if framing == "seasonal":
        return FramingState(season=season, scale=series_scale(z, season))
    indices = recent_seasonal_indices(y, season) if season > 1 else np.ones(1)
    d = deseasonalise(z, indices, log, 0)
    step = float(np.mean(np.abs(np.diff(d)))) if d.size > 1 else 0.0
    # a series that never moves: scale 0 makes its forecast exactly its level
    constant = not np.isfinite(step) or step <= 0
    scale = 0.0 if constant else (1.0 if log else step)
    return FramingState(season=season, scale=scale, indices=[float(v) for v in indices],
                        span=max(season, min_span))


def deseasonalise(z: FloatArray, indices: FloatArray | list[float], log: bool,
                  start: int) -> FloatArray:
    """Remove multiplicative indices from z whose first value is at position ``start``."""
    si = np.asarray(indices, dtype=np.float64)
    if si.size <= 1 or np.all(si == 1.0):
        return z
    factor = si[(start + np.arange(z.size)) % si.size]
    return z - np.log(factor) if log else z / factor


def _divisor(state: FramingState) -> float:
    return state.scale if state.scale > 0 else 1.0


def _levels(d: FloatArray, origins: np.ndarray, span: int) -> FloatArray:
    cumulative = np.concatenate([[0.0], np.cumsum(d)])
    low = np.maximum(origins + 1 - span, 0)
    return (cumulative[origins + 1] - cumulative[low]) / (origins + 1 - low)


def origins_for(framing: str, n: int, state: FramingState, out_size: int) -> np.ndarray:
    """Window origins T whose targets lie inside the n training points."""
    if framing == "seasonal":
        return training_origins(n, state.season, out_size)
    return np.arange(0, n - out_size, dtype=np.int64)


@_quiet_overflow
def make_windows(
    framing: str, z: FloatArray, log: bool, state: FramingState, origins: np.ndarray,
    lookback: int, out_size: int,
) -> tuple[FloatArray, FloatArray]:
    """Inputs (len(origins), lookback, 2) and targets (len(origins), out_size)."""
    y = make_targets(framing, z, log, state, origins, out_size)
    if framing == "seasonal":
        return input_windows(input_features(z, state.season, state.scale), origins, lookback), y
    return _level_inputs(z, log, state, origins, lookback), y


@_quiet_overflow
def make_targets(
    framing: str, z: FloatArray, log: bool, state: FramingState, origins: np.ndarray,
    out_size: int,
) -> FloatArray:
    """The targets (len(origins), out_size) of `make_windows` without its inputs."""
    if framing == "seasonal":
        return targets(z, origins, state.season, out_size, state.scale)
    d = deseasonalise(z, state.indices, log, 0)
    level = _levels(d, origins, state.span)
    future = sliding_windows(d[1:], out_size)[origins]
    return (future - level[:, None]) / _divisor(state)


@_quiet_overflow
def window_steps(
    framing: str, z: FloatArray, log: bool, state: FramingState, origins: np.ndarray
) -> tuple[FloatArray, FloatArray | None, float]:
    """What every input window of `make_windows` is cut from, so that windows can be
    gathered when needed instead of all built at once (`rnnforecast.data.window_bank`): the
    per-step inputs (len(z), 2), value and observed flag, and for the level framing each
    window's level (None for the seasonal framing, whose steps already are the inputs) and
    the divisor: a level window's observed values are (value - level) / divisor."""
    if framing == "seasonal":
        return input_features(z, state.season, state.scale), None, 1.0
    d = deseasonalise(z, state.indices, log, 0)
    steps = np.stack([d, np.ones(d.size)], axis=1)
    return steps, _levels(d, origins, state.span), _divisor(state)


def _level_inputs(
    z: FloatArray, log: bool, state: FramingState, origins: np.ndarray, lookback: int
) -> FloatArray:
    d = deseasonalise(z, state.indices, log, 0)
    feats = np.stack([d, np.ones(d.size)], axis=1)
    x = input_windows(feats, origins, lookback)
    level = _levels(d, origins, state.span)
    x[:, :, 0] = np.where(x[:, :, 1] > 0, (x[:, :, 0] - level[:, None]) / _divisor(state), 0.0)
    return x


@_quiet_overflow
def forecast_window(
    framing: str, z: FloatArray, log: bool, state: FramingState, lookback: int,
    start: int = 0,
) -> FloatArray:
    """The input window (lookback, 2) at the end of ``z`` (whose first value is at series
    position ``start``, so that seasonal indices stay aligned)."""
    origin = np.array([z.size - 1])
    if framing == "seasonal":
        return input_windows(input_features(z, state.season, state.scale), origin, lookback)[0]
    shifted = FramingState(state.season, state.scale, _rotate(state.indices, start), state.span)
    return _level_inputs(z, log, shifted, origin, lookback)[0]


@_quiet_overflow
def reconstruct(
    framing: str, z: FloatArray, log: bool, state: FramingState, output: FloatArray,
    start: int = 0,
) -> FloatArray:
    """Forecast of z for the steps after its end, from the network's output."""
    steps = output.size
    origin = np.array([z.size - 1])
    if framing == "seasonal":
        return reference(z, origin, state.season, steps)[0] + state.scale * output
    indices = _rotate(state.indices, start)
    d = deseasonalise(z, indices, log, 0)
    # a constant series forecasts its last value, exactly (a mean can be off by an ulp)
    level = _levels(d, origin, state.span)[0] if state.scale > 0 else d[-1]
    future = level + state.scale * output
    si = np.asarray(indices, dtype=np.float64)
    if si.size <= 1 or np.all(si == 1.0):
        return future
    factor = si[(z.size + np.arange(steps)) % si.size]
    return future + np.log(factor) if log else future * factor


def _rotate(indices: list[float], start: int) -> list[float]:
    """Indices re-based so that position 0 is the series position ``start``."""
    if len(indices) <= 1:
        return indices
    k = start % len(indices)
    return indices[k:] + indices[:k]
