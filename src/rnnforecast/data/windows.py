"""Supervised windows for the networks, built with array views (no Python loop over samples).

The framing ("seasonal residual"): on the transformed series z (log or raw), the input at
step t is the seasonal difference (z_t - z_{t-m}) / s plus an "observed" flag, where s is the
series' mean absolute seasonal difference on training data; positions before the series
start are zero with flag 0 (left padding), so short series still give windows. The target
for origin T and step k is (z_{T+k} - r_k) / s, with r_k = z_{T-m+1+((k-1) mod m)} the
seasonal-naive forecast. A network that outputs zeros *is* seasonal naive, so the model only
has to learn level, trend and shape changes, in units comparable across series of any scale.

Values near the float64 limit can overflow here (inf): `rnnforecast.data.framing`, through
which the library calls these functions, silences numpy's warnings and the Forecaster
refuses data too large for the network's float type.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
N_CHANNELS = 2


def sliding_windows(values: np.ndarray, width: int) -> np.ndarray:
    """Read-only view of all windows of ``width`` consecutive values: (n - width + 1, width)."""
    return sliding_window_view(values, width, axis=0)


def series_scale(z: FloatArray, season: int) -> float:
    """Mean absolute seasonal difference (lag 1 if the series is not longer than a season, or
    if it repeats exactly every season); 0.0 for a series that never changes, which makes its
    forecast exactly the seasonal-naive one (the constant) with no division by zero."""
    lag = season if z.size > season else 1
    if z.size <= lag:
        return 0.0
    scale = float(np.mean(np.abs(z[lag:] - z[:-lag])))
    if not np.isfinite(scale) or scale <= 0:
        scale = float(np.mean(np.abs(np.diff(z)))) if z.size > 1 else 0.0
    return scale if np.isfinite(scale) and scale > 0 else 0.0


def _divisor(scale: float) -> float:
    return scale if scale > 0 else 1.0


def input_features(z: FloatArray, season: int, scale: float) -> FloatArray:
    """Per-step inputs (n, 2): scaled seasonal difference and the observed flag."""
    feats = np.zeros((z.size, N_CHANNELS))
    if z.size > season:
        feats[season:, 0] = (z[season:] - z[:-season]) / _divisor(scale)
        feats[season:, 1] = 1.0
    return feats


def input_windows(features: FloatArray, origins: np.ndarray, lookback: int) -> FloatArray:
    """Windows ending at each origin (inclusive), left-padded with zeros: (len(origins), L, C)."""
    padded = np.concatenate([np.zeros((lookback - 1, features.shape[1])), features])
    views = sliding_windows(padded, lookback)  # (n, C, L): window i ends at original step i
    return np.ascontiguousarray(views[origins].transpose(0, 2, 1))


def reference(z: FloatArray, origins: np.ndarray, season: int, horizon: int) -> FloatArray:
    """Seasonal-naive forecasts r_k from each origin: (len(origins), horizon)."""
    offsets = np.arange(horizon) % season
    return z[origins[:, None] - season + 1 + offsets[None, :]]


def targets(
    z: FloatArray, origins: np.ndarray, season: int, horizon: int, scale: float
) -> FloatArray:
    """Scaled residuals of the next ``horizon`` values against seasonal naive."""
    future = sliding_windows(z[1:], horizon)[origins]
    return (future - reference(z, origins, season, horizon)) / _divisor(scale)


def training_origins(n: int, season: int, horizon: int) -> np.ndarray:
    """Origins T whose seasonal reference and whole target lie inside the n training points."""
    return np.arange(season - 1, n - horizon, dtype=np.int64)
