"""``rnnforecast plot``: a model file's forecast, or a forecast CSV, drawn over history.

The figure is written atomically by `rnnforecast.plotting.forecast_figure`, after everything
was read and computed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rnnforecast.cli.checks import check_output_path, refuse_overwrite
from rnnforecast.cli.options import DateFormat, Decimal, Fill, IdCol, TimeCol, ValueCol
from rnnforecast.cli.support import read_options, reported_errors, say
from rnnforecast.data.reading import command_line

if TYPE_CHECKING:
    from rnnforecast.data.reader import ReadOptions

EPILOG = "Example: rnnforecast plot sales.rnnf --data sales.csv --out forecast.png"


def plot(
    source: Annotated[str, typer.Argument(
        metavar="MODEL_OR_FORECAST", help="A model file, or a forecast CSV (unique_id, ds, "
        "one column per model).", show_default=False)],
    out: Annotated[str | None, typer.Option(
        help="Figure to write: .png, .svg or .pdf.", show_default=False)] = None,
    data: Annotated[str | None, typer.Option(
        help="History to draw (needed for a forecast CSV; for a model, forecast from its "
        "end).", show_default=False)] = None,
    horizon: Annotated[int | None, typer.Option(
        help="Steps to forecast with a model (default: the model's).", show_default=False)]
    = None,
    fill: Fill = None,
    time_col: TimeCol = None,
    value_col: ValueCol = None,
    id_col: IdCol = None,
    date_format: DateFormat = None,
    decimal: Decimal = None,
) -> None:
    """Draw a forecast over its history.

    MODEL_OR_FORECAST is a model file (forecast from its stored history, or from the end of
    --data) or a forecast CSV (drawn over --data, with the actual values where --data covers
    the forecast).
    """
    with reported_errors(), command_line(date_format, decimal):
        run_plot(source, out, data, horizon, read_options(locals()))


def run_plot(source: str, out: str | None, data: str | None, horizon: int | None,
             read: ReadOptions) -> None:
    from rnnforecast.data.forecast_csv import read_forecast_csv, split_at_forecast
    from rnnforecast.data.history import stored_history
    from rnnforecast.errors import ConfigError, DataError
    from rnnforecast.evaluation.actuals import actual_scores
    from rnnforecast.io.modelfile import MAGIC
    from rnnforecast.plotting.figures import check_figure_path, forecast_figure

    if out is None:
        raise ConfigError("--out is required: the figure to write, e.g. --out forecast.png")
    check_figure_path(out)
    check_output_path(out, "--out")
    refuse_overwrite(out, "--out", {"model or forecast file": source, "--data file": data})
    path = Path(source)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a model file or a forecast CSV")
    with open(path, "rb") as handle:
        is_model = handle.read(len(MAGIC)) == MAGIC
    if is_model:
        from rnnforecast.combination import LstmEtsTheta, load_model_file

        forecaster = load_model_file(path)
        if data is not None:
            history = read.read(data, fill=read.fill or forecaster.fill)
        elif isinstance(forecaster, LstmEtsTheta):  # a combination keeps every point
            history = forecaster.history()
        else:
            history = stored_history(forecaster.series_.values(), forecaster.freq_)
        forecast = forecaster.predict(horizon=horizon, data=None if data is None else history)
        steps = forecast.groupby("unique_id").size().max()
        forecast_figure(history, forecast, path=out,
                        title=f"{forecaster.model} forecast, {steps} steps ({path.name})")
    else:
        if data is None:
            raise ConfigError(f"{source} is not a model file, so it is read as a forecast CSV: "
                              "give --data with the history to draw it over")
        history = read.read(data)
        forecast = read_forecast_csv(path, history)
        past, actuals = split_at_forecast(history, forecast)
        scores = actual_scores(past, actuals, forecast)
        forecast_figure(past, forecast, actuals if len(actuals) else None, path=out,
                        title=f"forecast from {path.name}", scores=scores or None)
    say(f"wrote {out}")
