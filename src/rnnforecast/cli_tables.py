"""The score tables of ``evaluate`` and ``demo``: sorted by MASE, fitted to the terminal's
width by leaving out secondary columns (never the model name or its score, and never a value
cut to ``…``), with one line under the table that names the best model and says whether
each network beats each baseline. rich and pandas are imported inside functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from rnnforecast.cli_support import stdout_console

#: rich's default box: one border per column plus one, and one space of padding each side
_BORDER, _PADDING = 1, 2


@dataclass
class Column:
    """One table column: its header, its cells (plain text) and how much it matters
    (lower ``rank`` is kept longer; rank 0 is never left out)."""

    header: str
    cells: list[str]
    rank: int
    justify: str = "right"
    style: str | None = None
    width: int = field(init=False)

    def __post_init__(self) -> None:
        self.width = max([len(self.header), *(len(c) for c in self.cells)])


def table_width(columns: list[Column]) -> int:
    """The width rich draws ``columns`` at, unsqueezed."""
    return sum(c.width + _PADDING + _BORDER for c in columns) + _BORDER


def fit_columns(columns: list[Column], width: int) -> tuple[list[Column], list[Column]]:
    """(shown, left out): the least important columns are left out, one at a time, until
    the table fits ``width``; rank-0 columns always stay."""
    shown = list(columns)
    dropped: list[Column] = []
    while table_width(shown) > width:
        optional = [c for c in shown if c.rank > 0]
        if not optional:
            break
        worst = max(optional, key=lambda c: (c.rank, shown.index(c)))
        shown.remove(worst)
        dropped.append(worst)
    return shown, dropped


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


def _cell(row: dict[str, Any], metric: str) -> str:
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


def summary_columns(rows: list[dict[str, Any]], protocol: str,
                    intervals: dict[str, str]) -> list[Column]:
    """The table's columns in display order, each ranked by how much a reader needs it."""
    tutorial = protocol == "tutorial"
    metrics = (["mase", "scaled_rmse", "rmse", "smape", "mae"] if tutorial
               else ["mase", "smape", "rmse", "mae", "mape"])
    headers = {"rmse": "RMSE", "scaled_rmse": "scaled RMSE", "mase": "MASE", "mae": "MAE",
               "smape": "sMAPE", "mape": "MAPE %", **intervals}
    ranks = {"mase": 0, "scaled_rmse": 1, "smape": 1, "rmse": 2, "mae": 5, "mape": 6}
    columns = [Column("model", [str(r["model"]) for r in rows], 0, "left", "bold")]
    if any(int(r.get("seeds", 1)) > 1 for r in rows):
        columns.append(Column("seeds", [str(r["seeds"]) for r in rows], 7))
    if len({r.get("series") for r in rows}) > 1:
        columns.append(Column("series", [str(r["series"]) for r in rows], 8))
    for m in metrics:
        columns.append(Column(headers[m], [_cell(r, m) for r in rows], ranks[m]))
    for i, m in enumerate(intervals):  # coverage before MSIS, by level
        columns.append(Column(headers[m], [_cell(r, m) for r in rows], 3 + (i % 2)))
    columns.append(Column("fit CPU s", [f"{r.get('fit_seconds') or 0.0:.2f}" for r in rows], 4))
    return columns


def render_summary(summary: Any, protocol: str, notes: dict[str, Any] | None = None,
                   title: str | None = None) -> None:
    """Print the per-model summary on stdout: rows sorted by MASE (best first), as many
    columns as fit the console, then the verdict line and the protocol's caption."""
    from rich.table import Table

    from rnnforecast.evaluation.summary import interval_headers, records_for_table, verdict

    rows = sorted(records_for_table(summary), key=_mase_key)
    console = stdout_console()
    columns, dropped = fit_columns(
        summary_columns(rows, protocol, interval_headers(summary)), console.width)
    table = Table()
    for c in columns:
        table.add_column(c.header, justify=c.justify, style=c.style,  # type: ignore[arg-type]
                         no_wrap=True, min_width=c.width)
    for i in range(len(rows)):
        table.add_row(*[c.cells[i] for c in columns])
    if title:
        console.print(title, markup=False)
    console.print(table)
    console.print(verdict(summary).text, markup=False)
    if dropped:
        console.print(f"(not shown at this width: {', '.join(c.header for c in dropped)}; "
                      "--format csv has every column)", markup=False)
    for line in caption_lines(protocol, notes or {}):
        console.print(line, markup=False)


def caption_lines(protocol: str, notes: dict[str, Any]) -> list[str]:
    """What a reader needs to interpret the table: the split and the conventions."""
    if protocol == "tutorial":
        span, test = notes.get("train_span", ("?", "?")), notes.get("test_span", ("?", "?"))
        return [
            f"tutorial protocol: 67/33 chronological split, {notes.get('train_points')} "
            f"training points ({span[0]}..{span[1]}), {notes.get('test_points')} one-step-ahead "
            f"predictions from the true lagged values ({test[0]}..{test[1]}; as in the "
            f"tutorial, the last point {notes.get('unpredicted_last_point')} is never "
            f"predicted), lookback {notes.get('lookback')}.",
            f"scaled RMSE = RMSE / {fmt_number(notes.get('series_range'))} (max - min of the "
            "whole series), comparable with the tutorial's published 0.1008; models are "
            "fitted on the training part only.",
        ]
    if protocol == "backtest":
        refit = "refitted at every origin" if notes.get("refit") else (
            "fitted once at the oldest origin, then forecasting from the true history")
        return [
            f"backtest: {notes.get('windows')} rolling origins {notes.get('step')} steps apart, "
            f"{notes.get('test_points', '?')} held-out points in all; models {refit}. MASE is "
            "scaled by each window's training part; values are means over series and "
            "windows (± sd across seeds)."
        ]
    return [
        f"holdout: {notes.get('test_points', '?')} held-out points, forecast in one go from "
        "the end of each training series; MASE is scaled by the training part's seasonal "
        "naive error, sMAPE is on 0-200, values are means over series (± sd across seeds)."
    ]
