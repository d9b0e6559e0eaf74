"""Fitted transforms that see training data only and invert exactly.

`MinMaxScaler` is the classic tutorial's [0, 1] scaling, `StandardScaler` the usual z-score;
`window_normalise` subtracts each window's own level. The `Forecaster` itself uses log (when
valid) and the seasonal-residual framing in `rnnforecast.data.windows`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rnnforecast.errors import ConfigError, DataError

TRANSFORMS = ("auto", "log", "none")


def use_log(values: ArrayLike, transform: str, series: str = "") -> bool:
    """Whether to model log(y): always for "log" (refusing non-positive data), never for
    "none", and for "auto" only when every training value is > 0."""
    y = np.asarray(values, dtype=np.float64)
    if transform == "none":
        return False
    positive = bool(np.all(y > 0))
    if transform == "log":
        if not positive:
            where = f" series '{series}' has" if series else " the data has"
            raise DataError(
                f"transform='log' needs positive values, but{where} a value <= 0 "
                f"(min {np.min(y):g}); use transform='auto' or 'none'"
            )
        return True
    if transform == "auto":
        return positive
    raise ConfigError(f"unknown transform '{transform}': use one of {', '.join(TRANSFORMS)}")


@dataclass
class MinMaxScaler:
    """Scale to [0, 1] with the training minimum and maximum (a constant maps to 0)."""

    low: float = 0.0
    span: float = 1.0

    def fit(self, values: ArrayLike) -> MinMaxScaler:
        y = np.asarray(values, dtype=np.float64)
        self.low = float(np.min(y))
        span = float(np.max(y)) - self.low
        self.span = span if span > 0 else 1.0
        return self

    def transform(self, values: ArrayLike) -> NDArray[np.float64]:
        return (np.asarray(values, dtype=np.float64) - self.low) / self.span

    def inverse(self, values: ArrayLike) -> NDArray[np.float64]:
        return np.asarray(values, dtype=np.float64) * self.span + self.low

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class StandardScaler:
    """Subtract the training mean, divide by the training standard deviation (1 if zero)."""

    mean: float = 0.0
    std: float = 1.0

    def fit(self, values: ArrayLike) -> StandardScaler:
        y = np.asarray(values, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            self.mean, std = float(np.mean(y)), float(np.std(y))
            if not (np.isfinite(self.mean) and np.isfinite(std)):
                # huge values (|y| > 1e154) overflow the squares: work in units of max |y|
                unit = float(np.max(np.abs(y)))
                self.mean, std = float(np.mean(y / unit)) * unit, float(np.std(y / unit)) * unit
        self.std = std if std > 0 else 1.0
        return self

    def transform(self, values: ArrayLike) -> NDArray[np.float64]:
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.std

    def inverse(self, values: ArrayLike) -> NDArray[np.float64]:
        return np.asarray(values, dtype=np.float64) * self.std + self.mean

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def window_normalise(windows: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Subtract each window's mean (its own level); returns the windows and the levels to add
    back to forecasts made from them."""
    w = np.asarray(windows, dtype=np.float64)
    level = w.mean(axis=-1, keepdims=True)
    return w - level, level
