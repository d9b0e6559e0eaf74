"""Scores: per-series metrics and the per-model summary every protocol reports.

The tidy score frame has one row per (model, seed, unique_id) with the columns of `METRICS`
(plus ``scaled_rmse`` in the tutorial protocol) and ``fit_seconds``. The summary averages a
metric over series for each seed, then reports the mean over seeds, the standard deviation
across seeds (ddof=1; 0 for one seed) and the worst seed (every metric is lower-is-better).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast import metrics

__all__ = ["METRICS", "records_for_table", "score_series", "summarise", "summary_records"]

#: the metrics every protocol reports, in table order (sMAPE on 0-200, MAPE in percent)
METRICS = ("rmse", "mae", "mape", "smape", "mase")
#: metrics some protocols add after `METRICS`
EXTRA_METRICS = ("scaled_rmse",)
SEASONAL_NAIVE = "seasonal_naive"
PERSISTENCE = "persistence"


def score_series(
    actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season_length: int
) -> dict[str, float]:
    """Every metric of `METRICS` for one series; MASE is scaled by the in-sample seasonal
    naive MAE of ``train`` with ``season_length`` (lag 1 when the training part is not longer
    than one season)."""
    return {
        "rmse": metrics.rmse(actual, forecast),
        "mae": metrics.mae(actual, forecast),
        "mape": metrics.mape(actual, forecast),
        "smape": metrics.smape(actual, forecast),
        "mase": metrics.mase(actual, forecast, train, season_length),
    }


def metric_columns(frame: pd.DataFrame) -> list[str]:
    """The metric columns present in a score frame, in report order."""
    return [c for c in (*METRICS, *EXTRA_METRICS) if c in frame.columns]


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per model (in the frame's order): ``model, seeds, series``, then for every
    metric its value (mean over seeds of the mean over series), ``<metric>_sd`` (across
    seeds, ddof=1, 0 for one seed) and ``<metric>_max`` (the worst seed), ``fit_seconds``
    (CPU seconds of one fit of all series, mean over seeds) and ``beats_seasonal_naive``
    (MASE strictly below seasonal naive's; always False for seasonal naive itself). When a
    ``persistence`` row exists (tutorial protocol), ``beats_persistence`` compares RMSE."""
    cols = metric_columns(frame)
    rows: list[dict[str, Any]] = []
    for model, group in frame.groupby("model", sort=False):
        per_seed = group.groupby("seed", sort=True)
        means = per_seed[cols].mean()
        row: dict[str, Any] = {
            "model": str(model),
            "seeds": len(means),
            "series": int(group["unique_id"].nunique()),
        }
        for c in cols:
            values = means[c].to_numpy(dtype=np.float64)
            row[c] = _mean(values)
            row[f"{c}_sd"] = _sd(values)
            row[f"{c}_max"] = float(np.max(values))
        if "fit_seconds" in group.columns:
            row["fit_seconds"] = float(per_seed["fit_seconds"].first().mean())
        rows.append(row)
    summary = pd.DataFrame(rows)
    by_model = summary.set_index("model")
    if "mase" in cols and SEASONAL_NAIVE in by_model.index:
        reference = float(by_model.loc[SEASONAL_NAIVE, "mase"])
        summary["beats_seasonal_naive"] = [
            bool(m != SEASONAL_NAIVE and v < reference)
            for m, v in zip(summary["model"], summary["mase"], strict=True)
        ]
    if "rmse" in cols and PERSISTENCE in by_model.index:
        reference = float(by_model.loc[PERSISTENCE, "rmse"])
        summary["beats_persistence"] = [
            bool(m != PERSISTENCE and v < reference)
            for m, v in zip(summary["model"], summary["rmse"], strict=True)
        ]
    return summary


def summary_records(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """The summary as JSON-ready dicts: plain Python numbers, and ``None`` for NaN or
    infinite values (JSON has no inf; MAPE is inf when an actual value is 0)."""
    out = []
    for record in summary.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in record.items()})
    return out


def records_for_table(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """The summary rows as dicts of plain Python values (NaN and inf kept)."""
    return [{str(k): _plain(v, keep_nonfinite=True) for k, v in r.items()}
            for r in summary.to_dict(orient="records")]


def _mean(values: np.ndarray) -> float:
    with np.errstate(invalid="ignore"):
        return float(np.mean(values))


def _sd(values: np.ndarray) -> float:
    if values.size < 2:
        return 0.0
    with np.errstate(invalid="ignore"):
        return float(np.std(values, ddof=1))


def _plain(value: Any, keep_nonfinite: bool = False) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if keep_nonfinite or math.isfinite(v) else None
    return value
