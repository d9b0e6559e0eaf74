"""Command-line options shared by several commands (typer only: cheap to import).

Defaults are None ("not given"), so that --config and the library's own defaults apply.
"""

from __future__ import annotations

from typing import Annotated

import typer

MODEL_PANEL = "Model options"
DATA_PANEL = "Data options"

Data = Annotated[str, typer.Argument(
    metavar="DATA", help="CSV file: a date and a value column, or long unique_id, ds, y.",
    show_default=False)]
Horizon = Annotated[int | None, typer.Option(help="Steps to forecast.", show_default=False)]
Lookback = Annotated[int | None, typer.Option(
    help="Input window length (default: adapted to the data).", rich_help_panel=MODEL_PANEL,
    show_default=False)]
HiddenSize = Annotated[int | None, typer.Option(
    help="Hidden units per layer and member (default: 8 for small data, 64 for panels).",
    rich_help_panel=MODEL_PANEL,
    show_default=False)]
NumLayers = Annotated[int | None, typer.Option(
    help="Stacked recurrent layers (default 1).", rich_help_panel=MODEL_PANEL, show_default=False)]
Dropout = Annotated[float | None, typer.Option(
    help="Dropout between stacked layers, in [0, 1) (default 0).", rich_help_panel=MODEL_PANEL,
    show_default=False)]
Clip = Annotated[str | None, typer.Option(
    help="Gradient clipping: global norm limit, or 'none' (default 1.0).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
Epochs = Annotated[int | None, typer.Option(
    help="Training epochs (default: adapted to the data).", rich_help_panel=MODEL_PANEL,
    show_default=False)]
BatchSize = Annotated[int | None, typer.Option(
    help="Windows per training batch (default 512).", rich_help_panel=MODEL_PANEL,
    show_default=False)]
LearningRate = Annotated[float | None, typer.Option(
    help="Adam learning rate (default: 0.015 small data, 0.003 panels).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
SeasonLength = Annotated[int | None, typer.Option(
    help="Season length (default: from the frequency, 12 monthly, 7 daily, ...).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
Transform = Annotated[str | None, typer.Option(
    help="auto (log when all values > 0), log or none.", rich_help_panel=MODEL_PANEL,
    show_default=False)]
Ensemble = Annotated[int | None, typer.Option(
    help="Independent members whose median is the forecast (default: 4 small data, "
    "2 panels).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
Strategy = Annotated[str | None, typer.Option(
    help="direct (one output per step) or recursive.", rich_help_panel=MODEL_PANEL,
    show_default=False)]
Fill = Annotated[str | None, typer.Option(
    help="Fill missing values and timestamps: interpolate, ffill or zero (default: error).",
    rich_help_panel=DATA_PANEL, show_default=False)]
TimeCol = Annotated[str | None, typer.Option(
    help="Name of the date column (default: recognised).", rich_help_panel=DATA_PANEL,
    show_default=False)]
ValueCol = Annotated[str | None, typer.Option(
    help="Name of the value column (default: recognised).", rich_help_panel=DATA_PANEL,
    show_default=False)]
IdCol = Annotated[str | None, typer.Option(
    help="Name of the series id column, for many series in one file.", rich_help_panel=DATA_PANEL,
    show_default=False)]
DateFormat = Annotated[str | None, typer.Option(
    help="How the dates are written, when the data cannot tell (01/02/2016): a format such "
    "as %d/%m/%Y or DD/MM/YYYY, or dayfirst, monthfirst, excel (default: read from the data).",
    rich_help_panel=DATA_PANEL, show_default=False)]
Decimal = Annotated[str | None, typer.Option(
    help="Decimal mark of the numbers: . or , (default: read from the data; 500,02 is a "
    "decimal comma in a file whose fields are separated by ';').",
    rich_help_panel=DATA_PANEL, show_default=False)]
Format = Annotated[str, typer.Option("--format", help="table, json or csv.")]
Levels = Annotated[str | None, typer.Option(
    help="Prediction-interval levels in percent, comma-separated (e.g. 80,95): adds "
    "<model>-lo-80/<model>-hi-80 columns (quantile heads, or conformal with --conformal).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
Conformal = Annotated[bool | None, typer.Option(
    "--conformal", help="Intervals at --levels from split-conformal backtest residuals "
    "(any model, baselines too) instead of quantile heads.", rich_help_panel=MODEL_PANEL,
    show_default=False)]
Device = Annotated[str | None, typer.Option(
    help="auto (one GPU when present, else the CPU), cpu, cuda or cuda:N (default auto).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
Precision = Annotated[str | None, typer.Option(
    help="fp32, or bf16 (autocast on a GPU; no effect on the CPU) (default fp32).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
Cell = Annotated[str | None, typer.Option(
    help="Recurrent cell of --model seq2seq's encoder and decoder: lstm, gru or rnn "
    "(default lstm).", rich_help_panel=MODEL_PANEL, show_default=False)]
FutureCols = Annotated[str | None, typer.Option(
    help="Columns known over the horizon, comma-separated (e.g. promo,calendar; 'calendar' "
    "adds date features); predict then needs --future FILE.", rich_help_panel=DATA_PANEL,
    show_default=False)]
PastCols = Annotated[str | None, typer.Option(
    help="Columns known only up to the forecast origin, comma-separated.",
    rich_help_panel=DATA_PANEL, show_default=False)]
Embedding = Annotated[int | None, typer.Option(
    help="Width of a learned per-series embedding fed at every step (default none).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
Local = Annotated[bool | None, typer.Option(
    "--local", help="One small network per series instead of one global network, all trained "
    "at once as one grouped model (each series' forecast equals fitting it alone).",
    rich_help_panel=MODEL_PANEL, show_default=False)]
Guard = Annotated[bool | None, typer.Option(
    "--guard/--no-guard", help="Small data (one global network, under 2,000 windows): a "
    "series whose network forecast its last horizon of training data worse than seasonal "
    "naive or drift (refitted without it) forecasts with that instead. Default on.",
    rich_help_panel=MODEL_PANEL, show_default=False)]
