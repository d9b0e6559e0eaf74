"""The score tables of ``evaluate`` and ``demo``: the columns of
`rnnforecast.evaluation.summary.score_columns`, fitted to the terminal's width by leaving out
secondary columns (never the model name or its score, and never a value cut to ``…``), with
one line under the table that names the best model and says whether each network beats each
baseline. rich and pandas are imported inside functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnforecast.cli.support import stdout_console

if TYPE_CHECKING:
    from rnnforecast.evaluation.summary import ScoreColumn

#: rich's default box: one border per column plus one, and one space of padding each side
_BORDER, _PADDING = 1, 2


def column_width(column: ScoreColumn) -> int:
    """The width of a column's widest text (header or cell)."""
    return max([len(column.header), *(len(c) for c in column.cells)])


def table_width(columns: list[ScoreColumn]) -> int:
    """The width rich draws ``columns`` at, unsqueezed."""
    return sum(column_width(c) + _PADDING + _BORDER for c in columns) + _BORDER


def fit_columns(columns: list[ScoreColumn],
                width: int) -> tuple[list[ScoreColumn], list[ScoreColumn]]:
    """(shown, left out): the least important columns are left out, one at a time, until
    the table fits ``width``; rank-0 columns always stay."""
    shown = list(columns)
    dropped: list[ScoreColumn] = []
    while table_width(shown) > width:
        optional = [c for c in shown if c.rank > 0]
        if not optional:
            break
        worst = max(optional, key=lambda c: (c.rank, shown.index(c)))
        shown.remove(worst)
        dropped.append(worst)
    return shown, dropped


def render_summary(summary: Any, protocol: str, notes: dict[str, Any] | None = None,
                   title: str | None = None) -> None:
    """Print the per-model summary on stdout: rows sorted by MASE (best first), as many
    columns as fit the console, then the verdict line and the protocol's caption."""
    from rich.table import Table

    from rnnforecast.evaluation.summary import score_columns, verdict

    console = stdout_console()
    columns, dropped = fit_columns(score_columns(summary, protocol), console.width)
    table = Table()
    for c in columns:
        table.add_column(c.header, justify=c.justify, style=c.style,  # type: ignore[arg-type]
                         no_wrap=True, min_width=column_width(c))
    for i in range(len(columns[0].cells)):
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
    from rnnforecast.evaluation.summary import fmt_number

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
