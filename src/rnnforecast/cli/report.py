"""``rnnforecast report``: one self-contained HTML page to share
(`rnnforecast.explain.report.build_report`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rnnforecast.cli.checks import check_output_path, check_positives, refuse_overwrite
from rnnforecast.cli.options import (
    MODEL_PANEL,
    Data,
    DateFormat,
    Decimal,
    Ensemble,
    Epochs,
    Fill,
    IdCol,
    SeasonLength,
    TimeCol,
    ValueCol,
)
from rnnforecast.cli.support import read_data, reported_errors, say
from rnnforecast.data.reading import command_line

EPILOG = "Example: rnnforecast report sales.csv --horizon 12 --out report.html"


def report(
    data: Data,
    out: Annotated[str, typer.Option(help="HTML file to write.")] = "report.html",
    horizon: Annotated[int | None, typer.Option(
        help="Steps to hold out and forecast (default: two seasons, at most a quarter of the "
        "shortest series).", show_default=False)] = None,
    models: Annotated[str | None, typer.Option(
        help="Comma-separated models (default: lstm, seasonal_naive, naive2, seasonal_drift and "
        "auto_ets_log, or auto_ets when some value is <= 0).", show_default=False)] = None,
    seeds: Annotated[int, typer.Option(help="Fit each network this many times.")] = 1,
    epochs: Epochs = None,
    ensemble: Ensemble = None,
    lookback: Annotated[int | None, typer.Option(
        help="Input window length (default: adapted to the data).", rich_help_panel=MODEL_PANEL,
        show_default=False)] = None,
    season_length: SeasonLength = None,
    fill: Fill = None,
    time_col: TimeCol = None,
    value_col: ValueCol = None,
    id_col: IdCol = None,
    date_format: DateFormat = None,
    decimal: Decimal = None,
) -> None:
    """One self-contained HTML page to share: data, forecast, honest comparison, training
    curves and gradient flow.

    Holds out the last --horizon points, fits the models on the rest and lays out the data
    summary, the forecast figure, the comparison table (beside seasonal naive, Naive2 and
    AutoETS), the training curves and the gradient flow of the network. Figures are
    embedded in the page, which loads nothing from the network and runs no script.
    """
    settings = dict(locals())
    with reported_errors(), command_line(settings.pop("date_format"), settings.pop("decimal")):
        run_report(settings)


def run_report(settings: dict[str, Any]) -> None:
    import shlex
    import sys
    from pathlib import Path

    from rnnforecast.explain.report import build_report
    from rnnforecast.io.atomic import atomic_path

    out = settings["out"]
    check_output_path(out, "--out")
    refuse_overwrite(out, "--out", {"data file": settings["data"]})
    check_positives(settings, "horizon", "seeds", "epochs", "ensemble", "lookback", "season_length")
    frame = read_data(settings)
    name = Path(settings["data"]).name
    argv = sys.argv[1:]
    command = ("rnnforecast " + " ".join(shlex.quote(a) for a in argv)
               if "report" in argv else None)
    result = build_report(frame, horizon=settings["horizon"], models=settings["models"],
                          seeds=settings["seeds"], epochs=settings["epochs"],
                          ensemble=settings["ensemble"], lookback=settings["lookback"],
                          season_length=settings["season_length"], fill=settings["fill"],
                          title=f"Forecast report: {name}", command=command, on_step=say)
    with atomic_path(out) as tmp:
        tmp.write_text(result.html, encoding="utf-8")
    size = len(result.html.encode("utf-8"))
    say(f"wrote {out} ({size / 1024:.0f} KB, {result.notes['cpu_seconds']:.1f} s CPU)")
    print(out)
