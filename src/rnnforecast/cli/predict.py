"""``rnnforecast predict``: forecast with a saved model, as CSV."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from rnnforecast.cli.checks import check_output_path, refuse_overwrite
from rnnforecast.cli.options import DateFormat, Decimal, Fill, IdCol, TimeCol, ValueCol
from rnnforecast.cli.support import (
    describe_frame,
    detail,
    read_options,
    reported_errors,
    say,
    write_text,
)
from rnnforecast.data.reading import command_line

if TYPE_CHECKING:
    from rnnforecast.data.reader import ReadOptions

EPILOG = "Example: rnnforecast predict sales.rnnf --horizon 6 --out forecast.csv"


def predict(
    model_file: Annotated[str, typer.Argument(
        metavar="MODEL", help="A model file written by 'rnnforecast fit'.", show_default=False)],
    data: Annotated[str | None, typer.Option(
        help="Forecast from the end of this data instead of the training data.",
        show_default=False)] = None,
    horizon: Annotated[int | None, typer.Option(
        help="Steps to forecast (default: the model's).", show_default=False)] = None,
    out: Annotated[str | None, typer.Option(
        help="CSV file to write (default: CSV on stdout).", show_default=False)] = None,
    fill: Fill = None,
    time_col: TimeCol = None,
    value_col: ValueCol = None,
    id_col: IdCol = None,
    future: Annotated[str | None, typer.Option(
        help="CSV with unique_id, ds and the model's --future-cols for the forecast steps.",
        show_default=False)] = None,
    date_format: DateFormat = None,
    decimal: Decimal = None,
) -> None:
    """Forecast with a saved model: CSV with columns unique_id, ds, <model> (and
    <model>-lo-80, <model>-hi-80 ... for a model fitted with --levels)."""
    with reported_errors(), command_line(date_format, decimal):
        run_predict(model_file, data, horizon, out, read_options(locals()), future=future)


def run_predict(model_file: str, data: str | None, horizon: int | None, out: str | None,
                read: ReadOptions, *, future: str | None = None) -> None:
    from rnnforecast.combination import load_model_file
    from rnnforecast.data.parquet import is_parquet, predict_parquet, read_parquet_series
    from rnnforecast.forecaster.inputs import input_columns

    check_output_path(out, "--out")
    refuse_overwrite(out, "--out", {"model file": model_file, "--data file": data,
                                    "--future file": future})
    forecaster = load_model_file(model_file)  # a network, or a combination around one
    network = getattr(forecaster, "network_", forecaster)
    frame = None
    if data is not None and is_parquet(data) and out is not None and future is None:
        rows = predict_parquet(forecaster, data, out, horizon=horizon)  # group by group
        say(f"wrote {rows} forecasts to {out}")
        return
    if data is not None and is_parquet(data):
        frame = read_parquet_series(data, fill=read.fill or forecaster.fill)
    elif data is not None:
        frame = read.read(data, fill=read.fill or forecaster.fill,
                          covariates=input_columns(network))
        detail(f"read {data}: {describe_frame(frame)}")
    forecast = forecaster.predict(horizon=horizon, data=frame, future=future)
    text = forecast.to_csv(index=False)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text(out, text)
        say(f"wrote {len(forecast)} forecasts to {out}")
