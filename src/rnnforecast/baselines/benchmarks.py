"""The M4 competition's simple benchmarks beside naive: drift, mean and Naive2.

Naive2 is naive on the seasonally adjusted series: a series with ``season > 1`` and at least
three seasons of data is tested for seasonality (the lag-m autocorrelation against a 90%
limit, as in the M4 code); if seasonal, it is divided by classical multiplicative seasonal
indices (2 x m centred moving average, mean ratio per season position, normalised to average
1), forecast naively, and multiplied back. It is the reference of the OWA measure. The test
and the indices live in `rnnforecast.data.seasons` (the level framing uses them too).
"""

from __future__ import annotations

import numpy as np

from rnnforecast.baselines.simple import Baseline
from rnnforecast.data.seasons import seasonal_indices


class Drift(Baseline):
    """The straight line through the first and last values: ``y_T + k (y_T - y_1) / (T - 1)``."""

    name = "drift"

    def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
        return drift(y[-1], drift_step(y), horizon)


def drift_step(y: np.ndarray) -> float:
    """Drift's step: the slope of the line through the first and last values of ``y``."""
    return float((y[-1] - y[0]) / (len(y) - 1)) if len(y) > 1 else 0.0


def drift(last: float, step: float, horizon: int) -> np.ndarray:
    """The drift forecast from ``last`` (also the Forecaster guard's, with the training
    series' step)."""
    return last + step * np.arange(1, horizon + 1, dtype=np.float64)


class Mean(Baseline):
    """The training mean, for every step."""

    name = "mean"

    def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
        return np.full(horizon, float(np.mean(y)))


class SeasonalDrift(Baseline):
    """Seasonal random walk with drift, on log(y) when every value is positive:
    ``f_{T+k} = y_{T-m+1+((k-1) mod m)} * exp(ceil(k/m) * mean_t(log y_t - log y_{t-m}))``.

    No network at all, yet strong on trending seasonal series: a network that claims to
    beat AutoETS on AirPassengers should be shown beside it.
    """

    name = "seasonal_drift"
    seasonal = True

    def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
        log = bool(np.all(y > 0))
        z = np.log(y) if log else y
        m = season if len(z) > season else 1
        drift = float(np.mean(z[m:] - z[:-m])) if len(z) > m else 0.0
        k = np.arange(1, horizon + 1)
        forecast = z[len(z) - m + (k - 1) % m] + np.ceil(k / m) * drift
        return np.exp(forecast) if log else forecast


class Naive2(Baseline):
    """Naive on the seasonally adjusted series (M4's Naive2)."""

    name = "naive2"
    seasonal = True

    def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
        indices = seasonal_indices(y, season)
        n = len(y)
        level = y[-1] / indices[(n - 1) % season]
        future = indices[(n - 1 + np.arange(1, horizon + 1)) % season]
        return np.asarray(level * future, dtype=np.float64)
