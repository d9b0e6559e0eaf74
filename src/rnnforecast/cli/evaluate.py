"""``rnnforecast evaluate``: score models on a hold-out beside naive baselines."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rnnforecast.cli.checks import (
    check_choice,
    check_output_path,
    check_positive,
    levels_option,
    parse_clip,
    refuse_overwrite,
)
from rnnforecast.cli.options import (
    BatchSize,
    Clip,
    Conformal,
    DateFormat,
    Decimal,
    Dropout,
    Ensemble,
    Epochs,
    Fill,
    Format,
    FutureCols,
    Guard,
    HiddenSize,
    IdCol,
    LearningRate,
    Levels,
    Local,
    Lookback,
    NumLayers,
    PastCols,
    SeasonLength,
    Strategy,
    TimeCol,
    Transform,
    ValueCol,
)
from rnnforecast.cli.support import (
    BASELINE_NAMES,
    COMBINATION_NAMES,
    NETWORK_NAMES,
    OPTIONS,
    describe_frame,
    detail,
    read_options,
    reported_errors,
    say,
    write_text,
)
from rnnforecast.data.reading import command_line

EPILOG = "Example: rnnforecast evaluate sales.csv --horizon 12 --models lstm,gru,naive --seeds 3"
EVALUATE_FORMATS = ("table", "json", "csv")


def evaluate(
    data: Annotated[str, typer.Argument(
        metavar="DATA", help="CSV file with one or many series.", show_default=False)],
    horizon: Annotated[int | None, typer.Option(
        help="Steps to hold out and forecast (holdout protocol).", show_default=False)] = None,
    models: Annotated[str, typer.Option(
        help=f"Comma-separated, any of the networks {', '.join(NETWORK_NAMES)}, the "
        f"combination {', '.join(COMBINATION_NAMES)} (0.5 lstm + 0.25 AutoETS + 0.25 Theta) "
        f"and the baselines {', '.join(BASELINE_NAMES)} (seasonal_naive is always added).")]
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
    guard: Guard = None,
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
    with reported_errors(), command_line(settings.pop("date_format"), settings.pop("decimal")):
        run_evaluate(settings)


def run_evaluate(settings: dict[str, Any]) -> None:
    import json

    from rnnforecast.cli.tables import render_summary
    from rnnforecast.errors import ConfigError
    from rnnforecast.evaluation import summary_records
    from rnnforecast.evaluation.protocols import PROTOCOLS
    from rnnforecast.evaluation.run import run_read
    from rnnforecast.forecaster.inputs import parse_columns

    output_format = settings["output_format"]
    check_choice(output_format, "--format", EVALUATE_FORMATS)
    protocol = settings["protocol"]
    check_choice(protocol, "--protocol", PROTOCOLS)
    if protocol in ("holdout", "backtest") and settings["horizon"] is None:
        raise ConfigError(f"--horizon is required with the {protocol} protocol: the number "
                          "of points to hold out and forecast, e.g. --horizon 12")
    check_positive(settings["horizon"], "--horizon")
    check_positive(settings["seeds"], "--seeds")
    check_positive(settings["windows"], "--windows")
    check_positive(settings["step"], "--step")
    check_output_path(settings["scores"], "--scores")
    refuse_overwrite(settings["scores"], "--scores", {"data file": settings["data"],
                                                      "--test file": settings["test"]})
    passed = ("hidden_size", "num_layers", "dropout", "epochs", "batch_size", "lr",
              "transform", "ensemble", "strategy", "fill", "local", "guard")
    kwargs = {k: settings[k] for k in passed if settings[k] is not None}
    if settings["clip"] is not None:
        kwargs["clip"] = parse_clip(settings["clip"])
    for key in ("future_cols", "past_cols"):  # "a,b" -> ["a", "b"]
        if settings[key] is not None:
            kwargs[key] = parse_columns(settings[key], "--" + key.replace("_", "-"))
    if settings["levels"] is not None:
        kwargs["levels"] = levels_option(settings["levels"])
        kwargs["conformal"] = bool(settings["conformal"])
    elif settings["conformal"]:
        raise ConfigError("--conformal needs --levels, e.g. --levels 80,95")
    result = run_read(
        settings["data"], settings["models"], read=read_options(settings),
        horizon=settings["horizon"], protocol=protocol, seeds=settings["seeds"],
        season_length=settings["season_length"], test=settings["test"],
        lookback=settings["lookback"], windows=settings["windows"], step=settings["step"],
        refit=settings["refit"], backend=settings["backend"], scheduler=settings["scheduler"],
        quiet=OPTIONS.quiet, **kwargs,
    )
    detail(f"training part: {describe_frame(result.train)}; "
           f"hold-out: {describe_frame(result.test)}")
    summary = result.summary()
    if settings["scores"] is not None:
        write_text(settings["scores"], result.scores.to_csv(index=False))
        say(f"wrote the per-series scores to {settings['scores']}")
    if output_format == "json":
        print(json.dumps(summary_records(summary), indent=2))
    elif output_format == "csv":
        print(summary.to_csv(index=False), end="")
    else:
        render_summary(summary, protocol, result.notes)
