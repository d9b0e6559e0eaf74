"""The ``rnnforecast`` command line: demo, fit, predict, evaluate, plot, info (and explain,
report from `rnnforecast.cli_explain`).

Results go to stdout, messages to stderr (on a terminal or with --verbose), training progress
and notices of choices made for the user to stderr always (never with --quiet), colour only on
a terminal. Errors name flags, not the library's keywords (`cli_support.cli_language`). Bad
input or options: one line ``error: what, where, what to do`` and exit code 2; anything
unexpected: exit code 1 (traceback with ``--debug``); Ctrl-C: exit code 130. Every
output file is written atomically after everything was computed, so a failed run never
creates or truncates one. Only typer is imported here at module level (plus our
standard-library helpers): ``rnnforecast --help`` never imports torch or pandas.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Annotated

import typer

from rnnforecast.cli_explain import register as register_explain
from rnnforecast.cli_options import (
    MODEL_PANEL,
    BatchSize,
    Cell,
    Clip,
    Conformal,
    DateFormat,
    Decimal,
    Device,
    Dropout,
    Embedding,
    Ensemble,
    Epochs,
    Fill,
    Format,
    FutureCols,
    HiddenSize,
    Horizon,
    IdCol,
    LearningRate,
    Levels,
    Local,
    Lookback,
    NumLayers,
    PastCols,
    Precision,
    SeasonLength,
    Strategy,
    TimeCol,
    Transform,
    ValueCol,
)
from rnnforecast.cli_support import BASELINE_NAMES, NETWORK_NAMES, OPTIONS, guard
from rnnforecast.data.reading import command_line

app = typer.Typer(
    name="rnnforecast",
    help="Honest, fast recurrent-network forecasting (RNN, LSTM, GRU) on a plain CPU, always "
    "held against naive baselines.",
    epilog="Example: rnnforecast demo   (the whole job on the embedded AirPassengers data)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



def _rewrap(func: Callable[..., None]) -> Callable[..., None]:
    """Join each paragraph of a command's docstring into one line, so that the help screen
    wraps it to the terminal's width instead of keeping the source's line breaks."""
    doc = inspect.cleandoc(func.__doc__ or "")
    func.__doc__ = "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))
    return func


def _version(value: bool) -> None:
    if value:
        from rnnforecast._version import __version__

        typer.echo(f"rnnforecast {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
    = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress or messages, only results.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="More messages on stderr, also when not on a terminal.")]
    = False,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show the traceback of errors.")] = False,
) -> None:
    """Honest, fast recurrent-network forecasting (RNN, LSTM, GRU) on a plain CPU."""
    OPTIONS.quiet, OPTIONS.verbose, OPTIONS.debug = quiet, verbose and not quiet, debug


# ------------------------------------------------------------------------------ demo


@app.command(epilog="Example: rnnforecast demo --out demo/")
@_rewrap
def demo(
    out: Annotated[str, typer.Option(help="Folder for the figures, CSV and JSON.")]
    = "rnnforecast-demo",
) -> None:
    """The whole job on the embedded AirPassengers data, in a few seconds.

    Fits the default LSTM on 1949-1958, forecasts 1959-1960, scores it beside naive,
    seasonal naive and seasonal drift, prints the table (best first) with a line that says
    whether the LSTM beats each baseline, and writes forecast.png, training.png,
    forecast.csv and metrics.json.
    """
    with guard():
        from rnnforecast.cli_commands import run_demo

        run_demo(out)


# ------------------------------------------------------------------------------- fit


@app.command(epilog="Example: rnnforecast fit sales.csv --horizon 12 --save sales.rnnf")
@_rewrap
def fit(
    data: Annotated[str, typer.Argument(
        metavar="DATA", help="CSV file: a date and a value column, or long unique_id, ds, y.",
        show_default=False)],
    horizon: Horizon = None,
    save: Annotated[str | None, typer.Option(
        help="Model file to write (one file, no pickle).", show_default=False)] = None,
    model: Annotated[str | None, typer.Option(
        help=f"{', '.join(NETWORK_NAMES[:-1])} or {NETWORK_NAMES[-1]} (default lstm).",
        rich_help_panel=MODEL_PANEL, show_default=False)]
    = None,
    lookback: Lookback = None,
    hidden_size: HiddenSize = None,
    num_layers: NumLayers = None,
    dropout: Dropout = None,
    clip: Clip = None,
    epochs: Epochs = None,
    batch_size: BatchSize = None,
    lr: LearningRate = None,
    seed: Annotated[int | None, typer.Option(
        help="Random seed: the same seed gives the same model (default 0).",
        rich_help_panel=MODEL_PANEL, show_default=False)] = None,
    season_length: SeasonLength = None,
    transform: Transform = None,
    ensemble: Ensemble = None,
    strategy: Strategy = None,
    local: Local = None,
    cell: Cell = None,
    future_cols: FutureCols = None,
    past_cols: PastCols = None,
    embedding: Embedding = None,
    device: Device = None,
    precision: Precision = None,
    levels: Levels = None,
    conformal: Conformal = None,
    fill: Fill = None,
    time_col: TimeCol = None,
    value_col: ValueCol = None,
    id_col: IdCol = None,
    date_format: DateFormat = None,
    decimal: Decimal = None,
    config: Annotated[str | None, typer.Option(
        help="TOML file with defaults for any option (keys = Python argument names, e.g. "
        "hidden_size = 32); flags override it.", show_default=False)] = None,
    checkpoint: Annotated[str | None, typer.Option(
        help="Folder for a training checkpoint, saved after every epoch.",
        show_default=False)] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue the fit saved in --checkpoint (same data and options): the result is "
        "the same as an uninterrupted fit.")] = False,
    init: Annotated[str | None, typer.Option(
        "--init", metavar="MODEL",
        help="Continue training the model in this file on DATA (warm start): its architecture "
        "and settings stay; only --epochs, --lr, --seed and --fill may change.",
        show_default=False)] = None,
) -> None:
    """Fit a forecaster on DATA and save it to one model file.

    Options can also come from a TOML file (--config); flags given on the command line
    override it. With --checkpoint DIR the training state is saved after every epoch; after
    an interruption (Ctrl-C, a killed process), the same command with --resume finishes it.
    With --init MODEL training continues from that model's weights on the new DATA.
    """
    flags = {k: v for k, v in locals().items()
             if k not in ("data", "config", "checkpoint", "resume", "init", "date_format",
                          "decimal")}
    with guard(), command_line(date_format, decimal):
        from rnnforecast.cli_commands import run_fit

        run_fit(data, flags, config, checkpoint=checkpoint, resume=resume, init=init)


# --------------------------------------------------------------------------- predict


@app.command(epilog="Example: rnnforecast predict sales.rnnf --horizon 6 --out forecast.csv")
@_rewrap
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
    with guard(), command_line(date_format, decimal):
        from rnnforecast.cli_commands import run_predict

        run_predict(model_file, data, horizon, out,
                    {"time_col": time_col, "value_col": value_col, "id_col": id_col}, fill,
                    future=future)


# -------------------------------------------------------------------------- evaluate


@app.command(epilog="Example: rnnforecast evaluate sales.csv --horizon 12 --models "
             "lstm,gru,naive --seeds 3")
@_rewrap
def evaluate(
    data: Annotated[str, typer.Argument(
        metavar="DATA", help="CSV file with one or many series.", show_default=False)],
    horizon: Annotated[int | None, typer.Option(
        help="Steps to hold out and forecast (holdout protocol).", show_default=False)] = None,
    models: Annotated[str, typer.Option(
        help=f"Comma-separated, any of the networks {', '.join(NETWORK_NAMES)} and the "
        f"baselines {', '.join(BASELINE_NAMES)} (seasonal_naive is always added).")]
    = "lstm,naive,seasonal_naive",
    seeds: Annotated[int, typer.Option(
        help="Fit each network this many times, seeds 0..K-1.")] = 1,
    test: Annotated[str | None, typer.Option(
        help="Hold-out CSV continuing DATA (default: the last --horizon points of each "
        "series).", show_default=False)] = None,
    protocol: Annotated[str, typer.Option(
        help="holdout, tutorial (the classic 67/33 one-step measurement) or backtest "
        "(rolling origins).")] = "holdout",
    windows: Annotated[int, typer.Option(
        help="Backtest: number of rolling forecast origins.")] = 3,
    step: Annotated[int | None, typer.Option(
        help="Backtest: steps between origins (default: --horizon).", show_default=False)]
    = None,
    refit: Annotated[bool, typer.Option(
        help="Backtest: refit every model at every origin (--no-refit fits once at the "
        "oldest origin).")] = True,
    backend: Annotated[str, typer.Option(
        help="local, or dask: per-series work (baselines, local models, backtests) partitioned "
        "by series on Dask, same results (needs rnnforecast[scale]).")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address, e.g. tcp://host:8786 (default with --backend dask: a "
        "local cluster for this run).", show_default=False)] = None,
    output_format: Format = "table",
    scores: Annotated[str | None, typer.Option(
        help="Also write the per-series scores (one row per model, seed and series) to "
        "this CSV.", show_default=False)] = None,
    lookback: Lookback = None,
    season_length: SeasonLength = None,
    hidden_size: HiddenSize = None,
    num_layers: NumLayers = None,
    dropout: Dropout = None,
    clip: Clip = None,
    epochs: Epochs = None,
    batch_size: BatchSize = None,
    lr: LearningRate = None,
    transform: Transform = None,
    ensemble: Ensemble = None,
    strategy: Strategy = None,
    local: Local = None,
    future_cols: FutureCols = None,
    past_cols: PastCols = None,
    levels: Levels = None,
    conformal: Conformal = None,
    fill: Fill = None,
    time_col: TimeCol = None,
    value_col: ValueCol = None,
    id_col: IdCol = None,
    date_format: DateFormat = None,
    decimal: Decimal = None,
) -> None:
    """Score models on a hold-out beside naive and seasonal naive.

    Every series is scored with the same metrics: RMSE, MAE, MAPE (%), sMAPE (0-200) and
    MASE (scaled by the training part's seasonal naive error). --format json prints one JSON
    array: per model, each metric's mean over seeds, its sd across seeds and worst seed.

    --levels 80,95 adds each level's interval coverage and MSIS (M4) for the networks
    (quantile heads); with --conformal every model, baselines too, gets split-conformal
    intervals.

    --future-cols/--past-cols fit the networks with covariates (holdout and backtest
    protocols): they forecast with the hold-out's future columns, which a --test file must
    then carry; the baselines ignore covariates.
    """
    settings = dict(locals())
    with guard(), command_line(settings.pop("date_format"), settings.pop("decimal")):
        from rnnforecast.cli_commands import run_evaluate

        run_evaluate(settings)


# ------------------------------------------------------------------------------ plot


@app.command(epilog="Example: rnnforecast plot sales.rnnf --data sales.csv --out forecast.png")
@_rewrap
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
    with guard(), command_line(date_format, decimal):
        from rnnforecast.cli_plot import run_plot

        run_plot(source, out, data, horizon,
                 {"time_col": time_col, "value_col": value_col, "id_col": id_col}, fill)


# ------------------------------------------------------------------------------ info


@app.command(epilog="Example: rnnforecast info sales.rnnf --format json")
@_rewrap
def info(
    model_file: Annotated[str, typer.Argument(
        metavar="MODEL", help="A model file written by 'rnnforecast fit'.", show_default=False)],
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """What a model file holds: model, settings, data span, series, training."""
    with guard():
        from rnnforecast.cli_commands import run_info

        run_info(model_file, output_format)


# ------------------------------------------------------------ explain, report

register_explain(app, _rewrap)  # explain gradients | compare, report (cli_explain.py)

def main() -> None:
    """Console-script entry point (``rnnforecast``)."""
    try:
        app(prog_name="rnnforecast")
    except KeyboardInterrupt:  # outside a command (while parsing arguments)
        sys.stderr.write("interrupted\n")
        sys.exit(130)

