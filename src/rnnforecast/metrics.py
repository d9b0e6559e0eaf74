"""Forecast accuracy measures as pure functions on arrays.

Conventions follow the M4 competition so that numbers compare with published tables:
sMAPE is on a 0-200 scale, MASE is scaled by the in-sample mean absolute *seasonal*
difference, OWA averages sMAPE and MASE relative to Naive2. Every function takes the actual
values first, then the forecast, for one series; averaging over series is the caller's job
(M4 averages per-series values).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["coverage", "mae", "mape", "mase", "mase_scale", "msis", "owa", "rmse", "smape"]


def _pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    a = np.asarray(y_true, dtype=np.float64).ravel()
    f = np.asarray(y_pred, dtype=np.float64).ravel()
    if a.shape != f.shape:
        raise ValueError(f"actuals and forecasts differ in length: {a.size} vs {f.size}")
    if a.size == 0:
        raise ValueError("no values to score")
    return a, f


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error, in the units of the data."""
    a, f = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - f) ** 2)))


def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error, in the units of the data."""
    a, f = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - f)))


def mape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute percentage error, in percent: mean(100 |y - f| / |y|).

    Undefined when an actual value is 0: returns inf rather than silently dropping points.
    """
    a, f = _pair(y_true, y_pred)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(a - f) / np.abs(a)
    ratio = np.where((a == 0) & (f == 0), 0.0, ratio)
    return float(100.0 * np.mean(ratio))


def smape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Symmetric MAPE, M4 definition, on 0-200: mean(200 |y - f| / (|y| + |f|)).

    A point where both actual and forecast are 0 counts as a perfect forecast (0), as in
    statsforecast and the M4 code, instead of 0/0.
    """
    a, f = _pair(y_true, y_pred)
    denom = np.abs(a) + np.abs(f)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(denom == 0, 0.0, 200.0 * np.abs(a - f) / denom)
    return float(np.mean(terms))


def mase_scale(y_train: ArrayLike, season_length: int = 1) -> float:
    """The MASE denominator: in-sample mean absolute seasonal difference mean |x_t - x_(t-m)|.

    Falls back to lag 1 when the training series is not longer than one season (as M4 does for
    series too short for their seasonal period).
    """
    x = np.asarray(y_train, dtype=np.float64).ravel()
    m = int(season_length)
    if m < 1:
        raise ValueError(f"season_length must be >= 1, got {m}")
    if x.size <= m:
        m = 1
    if x.size <= m:
        raise ValueError("MASE needs at least two training values")
    return float(np.mean(np.abs(x[m:] - x[:-m])))


def mase(
    y_true: ArrayLike, y_pred: ArrayLike, y_train: ArrayLike, season_length: int = 1
) -> float:
    """Mean absolute scaled error: MAE of the forecast / `mase_scale(y_train, season_length)`.

    A value below 1 beats the in-sample seasonal naive forecast's one-step error. A training
    series with zero seasonal variation (a constant) gives 0 for a perfect forecast and inf
    otherwise.
    """
    err = mae(y_true, y_pred)
    scale = mase_scale(y_train, season_length)
    if scale == 0:
        return 0.0 if err == 0 else float("inf")
    return err / scale


def owa(smape_model: float, mase_model: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average (M4): 0.5 (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2).

    Inputs are averages over the same set of series; 1.0 means as good as Naive2.
    """
    return 0.5 * (smape_model / smape_naive2 + mase_model / mase_naive2)


def coverage(y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Fraction (0-1) of actual values inside their interval ``[lower, upper]`` (ends
    included)."""
    a, lo = _pair(y_true, lower)
    _, hi = _pair(y_true, upper)
    return float(np.mean((a >= lo) & (a <= hi)))


def msis(
    y_true: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    y_train: ArrayLike,
    level: float,
    season_length: int = 1,
) -> float:
    """Mean scaled interval score (M4): mean over the horizon of
    ``(U - L) + 2/a (L - y) 1[y < L] + 2/a (y - U) 1[y > U]`` with ``a = 1 - level/100``,
    divided by `mase_scale(y_train, season_length)`.

    Rewards narrow intervals and charges every miss by its distance, so it cannot be gamed
    by coverage alone. Like `mase`, a constant training series gives 0 for a perfect
    (zero-width, covering) interval and inf otherwise.
    """
    a, lo = _pair(y_true, lower)
    _, hi = _pair(y_true, upper)
    if not 0 < level < 100:
        raise ValueError(f"level must be in (0, 100), got {level}")
    alpha = 1.0 - float(level) / 100.0
    score = (hi - lo) + (2.0 / alpha) * (np.maximum(lo - a, 0.0) + np.maximum(a - hi, 0.0))
    mean = float(np.mean(score))
    scale = mase_scale(y_train, season_length)
    if scale == 0:
        return 0.0 if mean == 0 else float("inf")
    return mean / scale
