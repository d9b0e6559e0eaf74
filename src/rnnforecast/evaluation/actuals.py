"""A forecast scored against the actual values that came after it (``rnnforecast plot`` of a
forecast CSV over data that covers the forecast)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnforecast.data.forecast_csv import forecast_columns
from rnnforecast.data.frequency import infer_frequency
from rnnforecast.data.seasons import season_for
from rnnforecast.metrics import mase

__all__ = ["actual_scores"]


def actual_scores(past: pd.DataFrame, actuals: pd.DataFrame,
                  forecast: pd.DataFrame) -> dict[str, float]:
    """Each model's MASE (mean over series) where the actuals cover the whole forecast;
    empty when they do not, or when a series has fewer than 2 past points. ``past`` and
    ``actuals`` as `rnnforecast.data.forecast_csv.split_at_forecast` returns them."""
    models, _ = forecast_columns(forecast)
    models = [m for m in models if m != "y"]
    merged = forecast.merge(actuals, on=["unique_id", "ds"], how="left",
                            suffixes=("", "_actual"))
    target = "y_actual" if "y" in forecast.columns else "y"
    if len(actuals) == 0 or merged[target].isna().any():
        return {}
    out: dict[str, float] = {}
    for model in models:
        values = []
        for uid, g in merged.groupby("unique_id"):
            train = past[past["unique_id"] == uid]
            if len(train) < 2:
                return {}
            m = season_for(infer_frequency(train["ds"], str(uid)))
            values.append(mase(g[target], g[model], train["y"], m))
        out[model] = float(np.mean(values))
    return out
