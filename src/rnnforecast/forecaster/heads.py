"""Quantile heads (``Forecaster(levels=[80, 95])``): the direct network predicts, per horizon
step, the point plus the quantiles ``(1 - l/100)/2`` and ``1 - (1 - l/100)/2`` of every
level, trained with the pinball loss (`rnnforecast.training.pinball`). Outputs are mapped back
like the point (the framing's `reconstruct`, then exp: both monotone, so quantiles stay
quantiles), then sorted and clamped around the point so that intervals never cross
(`order_bounds`; the predictor's ``intervals`` puts the columns on a forecast)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnforecast.errors import ConfigError
from rnnforecast.levels import check_levels, quantiles_for

__all__ = ["check_params", "head_quantiles", "order_bounds", "output_blocks"]


def check_params(f: Any) -> None:
    """The interval parameters (``levels``, ``conformal``) of a `Forecaster`."""
    if f.levels is not None:
        check_levels(f.levels)
    if not isinstance(f.conformal, bool):
        raise ConfigError(f"conformal={f.conformal!r} is invalid: use True or False")
    if f.conformal and f.levels is None:
        raise ConfigError("conformal=True needs levels, e.g. levels=[80, 95] (--levels 80,95)")
    if f.levels is not None and not f.conformal and f.strategy == "recursive":
        raise ConfigError(
            "quantile heads need strategy='direct' (a recursive model would feed its own "
            "quantiles back); use strategy='direct' or conformal=True (--conformal)"
        )


def head_quantiles(f: Any) -> tuple[float, ...]:
    """The quantiles the network learns: none unless levels are set without conformal."""
    if f.levels is None or f.conformal:
        return ()
    return tuple(quantiles_for(f.levels))


def output_blocks(f: Any) -> int:
    """Network outputs per horizon step: the point plus one per head quantile."""
    return 1 + len(head_quantiles(f))


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
