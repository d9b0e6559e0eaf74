"""Scores: per-series metrics and the per-model summary every protocol reports.

The tidy score frame has one row per (model, seed, unique_id) with the columns of `METRICS`
(plus ``scaled_rmse`` in the tutorial protocol), ``coverage_<level>`` and ``msis_<level>`` for
models with prediction intervals (NaN for the others), and ``fit_seconds``. The summary
averages a metric over series for each seed, then reports the mean over seeds, the standard
deviation across seeds (ddof=1; 0 for one seed) and the worst seed (the highest value, except
for coverage: the seed farthest from the nominal level).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import rnnforecast.metrics as metrics
from rnnforecast.io.jsonsafe import plain

__all__ = ["METRICS", "ScoreColumn", "Verdict", "fmt_number", "records_for_table",
           "score_columns", "score_series", "summarise", "summary_records", "verdict"]

#: the metrics every protocol reports, in table order (sMAPE on 0-200, MAPE in percent)
METRICS = ("rmse", "mae", "mape", "smape", "mase")
#: metrics some protocols add after `METRICS`
EXTRA_METRICS = ("scaled_rmse",)
SEASONAL_NAIVE = "seasonal_naive"
#: interval metrics: coverage (fraction inside, 0-1) and MSIS (M4), one column per level
INTERVAL_METRIC = re.compile(r"^(?P<metric>coverage|msis)_(?P<level>\d+(?:\.\d+)?)$")
PERSISTENCE = "persistence"


def score_series(
    actual: np.ndarray,
    forecast: np.ndarray,
    train: np.ndarray,
    season_length: int,
    intervals: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> dict[str, float]:
    """Every metric of `METRICS` for one series; MASE is scaled by the in-sample seasonal
    naive MAE of ``train`` with ``season_length`` (lag 1 when the training part is not longer
    than one season). ``intervals`` (level as in column names, e.g. "80" -> (lower, upper))
    add ``coverage_<level>`` and ``msis_<level>`` (MSIS scaled like MASE)."""
    out = {
        "rmse": metrics.rmse(actual, forecast),
        "mae": metrics.mae(actual, forecast),
        "mape": metrics.mape(actual, forecast),
        "smape": metrics.smape(actual, forecast),
        "mase": metrics.mase(actual, forecast, train, season_length),
    }
    for level, (lower, upper) in (intervals or {}).items():
        out[f"coverage_{level}"] = metrics.coverage(actual, lower, upper)
        out[f"msis_{level}"] = metrics.msis(actual, lower, upper, train, float(level),
                                            season_length)
    return out


def metric_columns(frame: pd.DataFrame) -> list[str]:
    """The metric columns present in a score frame, in report order (interval metrics last,
    by level)."""
    fixed = [c for c in (*METRICS, *EXTRA_METRICS) if c in frame.columns]
    found = [(float(m["level"]), m["metric"] == "msis", str(c)) for c in frame.columns
             if (m := INTERVAL_METRIC.match(str(c)))]
    return fixed + [c for _, _, c in sorted(found)]


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
            row[f"{c}_max"] = _worst(c, values)
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
        out.append({str(k): plain(v) for k, v in record.items()})
    return out


def records_for_table(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """The summary rows as dicts of plain Python values (NaN and inf kept)."""
    return [{str(k): plain(v, keep_nonfinite=True) for k, v in r.items()}
            for r in summary.to_dict(orient="records")]


def _worst(column: str, values: np.ndarray) -> float:
    """The worst seed's value: the highest, or for coverage the farthest from nominal."""
    match = INTERVAL_METRIC.match(column)
    if match and match["metric"] == "coverage":
        if np.all(np.isnan(values)):
            return math.nan
        nominal = float(match["level"]) / 100.0
        return float(values[np.nanargmax(np.abs(values - nominal))])
    return float(np.max(values))


def _mean(values: np.ndarray) -> float:
    with np.errstate(invalid="ignore"):
        return float(np.mean(values))


def _sd(values: np.ndarray) -> float:
    if values.size < 2:
        return 0.0
    with np.errstate(invalid="ignore"):
        return float(np.std(values, ddof=1))


def interval_headers(summary: pd.DataFrame) -> dict[str, str]:
    """Table headers of the interval metrics some model has: ``coverage_80`` -> "cover 80",
    ``msis_80`` -> "MSIS 80" (in `metric_columns` order)."""
    out = {}
    for col in metric_columns(summary):
        match = INTERVAL_METRIC.match(col)
        if match and summary[col].notna().any():
            name = "cover" if match["metric"] == "coverage" else "MSIS"
            out[col] = f"{name} {match['level']}"
    return out


# ----------------------------------------------------------------------- score table


@dataclass(frozen=True)
class ScoreColumn:
    """One column of the score table as text: ``key`` (``model``, ``seeds``, ``series``, a
    metric or ``fit_seconds``), its header, one cell per model (best first) and how much a
    reader needs it (``rank`` 0 is never left out; higher ranks are left out first when a
    table must be narrower)."""

    key: str
    header: str
    cells: list[str]
    rank: int
    justify: str = "right"
    style: str | None = None


def fmt_number(value: Any) -> str:
    """A score for a table: 4 significant digits, thousands without exponent, '-' for none."""
    if value is None:
        return "-"
    v = float(value)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def score_columns(summary: pd.DataFrame, protocol: str = "holdout") -> list[ScoreColumn]:
    """The score table of a summary, as the command line and the HTML report show it: rows
    sorted by MASE (best first, models without a finite MASE last), columns in display order
    (model, seeds and series when they vary, the protocol's metrics, interval metrics, fit
    CPU seconds); a metric over several seeds reads ``mean ± sd``."""
    rows = sorted(records_for_table(summary), key=_mase_key)
    intervals = interval_headers(summary)
    tutorial = protocol == "tutorial"
    metrics = (["mase", "scaled_rmse", "rmse", "smape", "mae"] if tutorial
               else ["mase", "smape", "rmse", "mae", "mape"])
    headers = {"rmse": "RMSE", "scaled_rmse": "scaled RMSE", "mase": "MASE", "mae": "MAE",
               "smape": "sMAPE", "mape": "MAPE %", **intervals}
    ranks = {"mase": 0, "scaled_rmse": 1, "smape": 1, "rmse": 2, "mae": 5, "mape": 6}
    columns = [ScoreColumn("model", "model", [str(r["model"]) for r in rows], 0, "left",
                           "bold")]
    if any(int(r.get("seeds", 1)) > 1 for r in rows):
        columns.append(ScoreColumn("seeds", "seeds", [str(r["seeds"]) for r in rows], 7))
    if len({r.get("series") for r in rows}) > 1:
        columns.append(ScoreColumn("series", "series", [str(r["series"]) for r in rows], 8))
    for m in metrics:
        columns.append(ScoreColumn(m, headers[m], [_score_cell(r, m) for r in rows], ranks[m]))
    for i, m in enumerate(intervals):  # coverage before MSIS, by level
        columns.append(ScoreColumn(m, headers[m], [_score_cell(r, m) for r in rows],
                                   3 + (i % 2)))
    columns.append(ScoreColumn("fit_seconds", "fit CPU s",
                               [f"{r.get('fit_seconds') or 0.0:.2f}" for r in rows], 4))
    return columns


def _score_cell(row: dict[str, Any], metric: str) -> str:
    text = fmt_number(row.get(metric))
    if int(row.get("seeds", 1)) > 1 and row.get(f"{metric}_sd") is not None:
        sd = row[f"{metric}_sd"]
        text += " ± " + (f"{sd:.2g}" if isinstance(sd, float) and abs(sd) < 1000 else
                         fmt_number(sd))
    return text


def _mase_key(row: dict[str, Any]) -> tuple[bool, float]:
    value = row.get("mase")
    v = math.nan if value is None else float(value)
    return (not math.isfinite(v), v if math.isfinite(v) else 0.0)


# --------------------------------------------------------------------------- verdict


@dataclass(frozen=True)
class Verdict:
    """Who won on MASE, and whether each network beats each baseline: one plain line
    (``text``) for tables, figure titles and reports, the pairs for JSON."""

    best: str | None
    best_mase: float | None
    text: str
    comparisons: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"best": self.best, "best_mase": self.best_mase, "text": self.text,
                "comparisons": self.comparisons}


def verdict(summary: pd.DataFrame, networks: Iterable[str] | None = None) -> Verdict:
    """The best model on MASE and, for every network, whether its MASE is strictly below
    each baseline's (``lstm 0.42 does NOT beat auto_ets 0.26``): seasonal naive alone is
    not the bar when a classical model does better. ``networks`` defaults to the networks
    (`rnnforecast.forecaster.MODELS`) and the combinations that hold one; every other model
    counts as a baseline."""
    if networks is None:
        from rnnforecast.combination import COMBINATIONS
        from rnnforecast.forecaster import MODELS

        networks = (*MODELS, *COMBINATIONS)
    nets = set(networks)
    models = [str(m) for m in summary["model"]]
    values = summary["mase"] if "mase" in summary.columns else [math.nan] * len(models)
    scores = {m: float(v) for m, v in zip(models, values, strict=True)
              if math.isfinite(float(v))}
    if not scores:
        return Verdict(None, None, "no model has a finite MASE: nothing to rank")
    ranked = sorted(scores, key=lambda m: scores[m])
    best = ranked[0]
    fmt = _formatter(list(scores.values()))
    parts = [f"best: {best} (MASE {fmt(scores[best])})"]
    comparisons: list[dict[str, Any]] = []
    baselines = [m for m in ranked if m not in nets]
    for net in (m for m in models if m in nets):
        if net not in scores:
            parts.append(f"{net} has no finite MASE")
            continue
        clauses = []
        for base in baselines:
            a, b = scores[net], scores[base]
            said = "beats" if a < b else ("ties with" if a == b else "does NOT beat")
            clauses.append(f"{said} {base} {fmt(b)}")
            comparisons.append({"network": net, "baseline": base, "network_mase": a,
                                "baseline_mase": b, "beats": bool(a < b)})
        if clauses:
            parts.append(f"{net} {fmt(scores[net])} " + ", ".join(clauses))
    if not nets & set(models):
        parts.append("no network in the comparison")
    return Verdict(best, scores[best], "; ".join(parts), comparisons)


def _formatter(values: list[float]) -> Any:
    """A number format with the fewest decimals (2 to 6) that keeps distinct values
    distinct, so that a verdict never reads "0.42 does NOT beat 0.42"."""
    distinct = sorted(set(values))
    for digits in range(2, 7):
        if len({f"{v:.{digits}f}" for v in distinct}) == len(distinct):
            break
    return lambda v: f"{v:.{digits}f}"
