"""Prediction intervals, the documented public names (`docs/api.md`).

Two ways to get ``<model>-lo-<level>`` / ``<model>-hi-<level>`` columns (levels in percent,
named like statsforecast and neuralforecast: 80 -> "80", 97.5 -> "97.5"):

- quantile heads, ``Forecaster(levels=[80, 95])`` (`rnnforecast.forecaster.heads`);
- split conformal, ``Forecaster(levels=[80, 95], conformal=True)``, or for any model with
  ``fit(frame).predict()``, baselines included, `conformal_frame`
  (`rnnforecast.forecaster.conformal`).

This module only gathers them: level names live in `rnnforecast.levels`, the calibration in
`rnnforecast.forecaster.conformal` (it sits in the forecaster layer).
"""

from rnnforecast.forecaster.conformal import Calibration, calibrate, conformal_frame
from rnnforecast.levels import (
    check_levels,
    format_level,
    interval_columns,
    parse_levels,
    quantiles_for,
)

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
