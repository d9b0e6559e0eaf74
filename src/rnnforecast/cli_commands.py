"""The work behind each command of `rnnforecast.cli`, imported only when a command runs.

Everything is computed first and written last, through `atomic_path`, so that a run that
fails creates or truncates no file. Results go to stdout; messages go through
`rnnforecast.cli_support.say` (stderr, terminal only).
"""

from __future__ import annotations

import inspect
import json
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import numpy as np
import pandas as pd

from rnnforecast.cli_support import (
    OPTIONS,
    check_choice,
    check_positive,
    detail,
    levels_option,
    load_config,
    merge_settings,
    parse_clip,
    refuse_overwrite,
    say,
    stdout_console,
)
from rnnforecast.cli_tables import render_summary
from rnnforecast.data.frequency import format_ds
from rnnforecast.data.reader import read_series
from rnnforecast.errors import ConfigError
from rnnforecast.inputs import covariate_columns, input_columns, parse_columns
from rnnforecast.io.atomic import atomic_path

if TYPE_CHECKING:
    from rnnforecast.data.reader import FillMethod

READ_KEYS = ("time_col", "value_col", "id_col")
DEMO_FILES = ("forecast.png", "training.png", "forecast.csv", "metrics.json")
EVALUATE_FORMATS = ("table", "json", "csv")


def forecaster_params() -> list[str]:
    """The `Forecaster` constructor's argument names."""
    from rnnforecast.forecaster import Forecaster

    return [p for p in inspect.signature(Forecaster.__init__).parameters if p != "self"]


def check_output_path(path: str | None, option: str) -> None:
    if path is not None and Path(path).is_dir():
        raise ConfigError(f"{option} {path} is a directory: give a file name")


def _write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def as_fill(value: str | None) -> FillMethod | None:
    """A --fill value as the reader's type (the reader refuses unknown methods)."""
    return cast("FillMethod | None", value)


def _describe(frame: pd.DataFrame) -> str:
    n_series = frame["unique_id"].nunique()
    return (f"{len(frame)} points in {n_series} series, "
            f"{format_ds(frame['ds'].min())}..{format_ds(frame['ds'].max())}")


# ------------------------------------------------------------------------------- fit


def run_fit(data: str, flags: dict[str, Any], config: str | None, *,
            checkpoint: str | None = None, resume: bool = False,
            init: str | None = None) -> None:
    from rnnforecast.forecaster import MODELS, Forecaster

    allowed = [p for p in forecaster_params() if p != "quiet"] + [*READ_KEYS, "save"]
    settings = merge_settings(load_config(config, allowed) if config else {}, flags)
    if "clip" in settings:
        source = "--clip" if flags.get("clip") is not None else f"{config}: clip"
        settings["clip"] = parse_clip(settings["clip"], source)
    if "levels" in settings:
        source = "--levels" if flags.get("levels") is not None else f"{config}: levels"
        settings["levels"] = levels_option(settings["levels"], source)
    for key in ("future_cols", "past_cols"):  # "a,b" -> ["a", "b"]
        if key in settings:
            settings[key] = parse_columns(settings[key], "--" + key.replace("_", "-"))
    base = None
    if init is not None:  # warm start: the model file gives every setting not changed
        from rnnforecast.cli_warm import load_init

        base = load_init(init, settings)
        settings["horizon"] = base.horizon
    if settings.get("horizon") is None:
        raise ConfigError("--horizon is required (or horizon = N in the --config file): the "
                          "number of steps to forecast, e.g. --horizon 12")
    check_positive(settings["horizon"], "--horizon")
    check_choice(settings.get("model"), "--model", MODELS)
    save = settings.pop("save", None)
    if save is None:
        raise ConfigError("--save is required: the model file to write, e.g. --save sales.rnnf")
    check_output_path(save, "--save")
    refuse_overwrite(save, "--save", {"data file": data, "--init model": init,
                                      "--config file": config})
    if resume and checkpoint is None:
        raise ConfigError("--resume needs --checkpoint DIR: the folder of the fit to continue")
    read = {k: settings.pop(k, None) for k in READ_KEYS}
    from rnnforecast.scale.parquet import is_parquet

    frame: Any = data  # a Parquet dataset is read inside fit (under torchrun: each rank's part)
    if not is_parquet(data):
        covariates = covariate_columns(settings.get("future_cols"), settings.get("past_cols"))
        frame = read_series(data, fill=settings.get("fill"), covariates=covariates, **read)
        detail(f"read {data}: {_describe(frame)}")
    forecaster = Forecaster(**settings, quiet=OPTIONS.quiet) if base is None else base
    forecaster.quiet = OPTIONS.quiet
    if resume and checkpoint is not None:
        from rnnforecast.training.checkpoint import saved_epoch

        done = saved_epoch(checkpoint)
        say(f"resuming the fit in {checkpoint} after epoch {done}" if done is not None else
            f"no checkpoint in {checkpoint} yet: training from the first epoch")
    start = time.process_time()
    try:
        forecaster.fit(frame, checkpoint=checkpoint, resume=resume,
                       warm_start=base is not None)
    except KeyboardInterrupt:
        _interrupted(checkpoint)
    seconds = time.process_time() - start
    from rnnforecast.scale.distributed import is_main_process

    if not is_main_process():  # torchrun: rank 0 writes the model and reports
        return
    forecaster.save(save)
    epochs = len(forecaster.history_.get("train_loss", []))
    say(f"saved {forecaster.model} model of {len(forecaster.series_)} series (horizon "
        f"{forecaster.horizon}, {epochs} epochs, {seconds:.1f} s CPU) to {save}")
    clipped = forecaster.history_.get("clipped", [])
    if clipped and float(np.mean(clipped)) > 0.5:
        say(f"note: gradient clipping (--clip {forecaster.clip}) acted in "
            f"{float(np.mean(clipped)):.0%} of the training steps: if the training loss is "
            "unstable, lower --lr; if it falls slowly, raise --clip or train more --epochs")


def _interrupted(checkpoint: str | None) -> NoReturn:
    """Ctrl-C during a fit: say what is kept (nothing is written but the checkpoint), exit 130."""
    import sys

    import typer

    from rnnforecast.cli_support import EXIT_INTERRUPTED

    if checkpoint is None:
        sys.stderr.write("interrupted: nothing was saved (use --checkpoint DIR to be able to "
                         "resume a long fit)\n")
    else:
        from rnnforecast.training.checkpoint import saved_epoch

        epoch = saved_epoch(checkpoint)
        if epoch is None:
            sys.stderr.write(f"interrupted before the first epoch ended: no checkpoint in "
                             f"{checkpoint} yet\n")
        else:
            sys.stderr.write(f"interrupted: the checkpoint of epoch {epoch} is kept in "
                             f"{checkpoint}; run the same command with --resume to finish\n")
    raise typer.Exit(EXIT_INTERRUPTED)


# --------------------------------------------------------------------------- predict


def run_predict(model_file: str, data: str | None, horizon: int | None, out: str | None,
                read: dict[str, Any], fill: str | None, *, future: str | None = None) -> None:
    from rnnforecast.forecaster import Forecaster

    check_output_path(out, "--out")
    refuse_overwrite(out, "--out", {"model file": model_file, "--data file": data,
                                    "--future file": future})
    forecaster = Forecaster.load(model_file)
    frame = None
    from rnnforecast.scale.parquet import is_parquet

    if data is not None and is_parquet(data) and out is not None and future is None:
        from rnnforecast.scale.parquet import predict_parquet

        rows = predict_parquet(forecaster, data, out, horizon=horizon)  # group by group
        say(f"wrote {rows} forecasts to {out}")
        return
    if data is not None and is_parquet(data):
        from rnnforecast.scale.parquet import read_parquet_series

        frame = read_parquet_series(data, fill=as_fill(fill) or forecaster.fill)
    elif data is not None:
        frame = read_series(data, fill=as_fill(fill) or forecaster.fill,
                            covariates=input_columns(forecaster), **read)
        detail(f"read {data}: {_describe(frame)}")
    forecast = forecaster.predict(horizon=horizon, data=frame, future=future)
    text = forecast.to_csv(index=False)
    if out is None:
        import sys

        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_text(out, text)
        say(f"wrote {len(forecast)} forecasts to {out}")


# -------------------------------------------------------------------------- evaluate


def run_evaluate(settings: dict[str, Any]) -> None:
    from rnnforecast.evaluation import run_protocol, summary_records
    from rnnforecast.evaluation.protocols import PLANNED_PROTOCOLS, PROTOCOLS

    output_format = settings["output_format"]
    check_choice(output_format, "--format", EVALUATE_FORMATS)
    protocol = settings["protocol"]
    if protocol in PLANNED_PROTOCOLS:
        raise ConfigError(f"--protocol {protocol} is not available yet (it comes in a later "
                          f"release): use one of {', '.join(PROTOCOLS)}")
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
              "transform", "ensemble", "strategy", "fill", "local")
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
    result = run_protocol(
        settings["data"], settings["models"], horizon=settings["horizon"], protocol=protocol,
        seeds=settings["seeds"], season_length=settings["season_length"],
        test=settings["test"], lookback=settings["lookback"], windows=settings["windows"],
        step=settings["step"], refit=settings["refit"],
        backend=settings["backend"], scheduler=settings["scheduler"],
        **{k: settings[k] for k in READ_KEYS}, quiet=OPTIONS.quiet, **kwargs,
    )
    detail(f"training part: {_describe(result.train)}; hold-out: {_describe(result.test)}")
    summary = result.summary()
    if settings["scores"] is not None:
        _write_text(settings["scores"], result.scores.to_csv(index=False))
        say(f"wrote the per-series scores to {settings['scores']}")
    if output_format == "json":
        print(json.dumps(summary_records(summary), indent=2))
    elif output_format == "csv":
        print(summary.to_csv(index=False), end="")
    else:
        render_summary(summary, protocol, result.notes)


# ------------------------------------------------------------------------------ demo


def run_demo(out: str) -> None:
    from rnnforecast.data.datasets import load_dataset
    from rnnforecast.evaluation import run_protocol, summary_records
    from rnnforecast.evaluation.summary import verdict
    from rnnforecast.plotting.figures import forecast_figure, training_figure

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--out {out} is a file: give a folder for the demo's files")
    data = load_dataset("airpassengers")
    train, test = data.iloc[:120], data.iloc[120:]
    # seasonal_drift (no network) is the honest bar here: see BENCHMARKS.md
    result = run_protocol(train, ["lstm", "naive", "seasonal_naive", "seasonal_drift"],
                          horizon=24, test=test, quiet=OPTIONS.quiet)
    summary = result.summary()
    records = summary_records(summary)
    mase = {str(r["model"]): r["mase"] for r in records}
    lstm = result.fitted["lstm"]
    forecasts = result.forecast_frame()
    said = verdict(summary)
    title = f"AirPassengers: forecast of 1959-1960, MASE on the held-out years\n{said.text}"
    metrics = {
        "dataset": "airpassengers",
        "protocol": "holdout",
        "horizon": 24,
        "train": {"start": format_ds(train["ds"].iloc[0]), "end": format_ds(train["ds"].iloc[-1]),
                  "points": len(train)},
        "test": {"start": format_ds(test["ds"].iloc[0]), "end": format_ds(test["ds"].iloc[-1]),
                 "points": len(test)},
        "model": lstm.info(),
        "results": records,
        "verdict": said.to_json(),
    }
    with ExitStack() as stack:
        tmp = {name: stack.enter_context(atomic_path(folder / name)) for name in DEMO_FILES}
        forecast_figure(train, forecasts, test, path=tmp["forecast.png"], fmt="png",
                        title=title, scores=mase)
        training_figure(lstm.history_, lstm.clip, path=tmp["training.png"], fmt="png",
                        title=f"Training the default LSTM "
                        f"({lstm.settings_['ensemble']} members, "
                        f"{len(lstm.history_['train_loss'])} epochs)")
        tmp["forecast.csv"].write_text(forecasts.to_csv(index=False), encoding="utf-8")
        tmp["metrics.json"].write_text(json.dumps(metrics, indent=2, default=str) + "\n",
                                       encoding="utf-8")
    render_summary(summary, "holdout", result.notes,
                   title="AirPassengers: train 1949-01..1958-12, forecast 1959-01..1960-12 "
                   "(24 months)")
    console = stdout_console()
    console.print(f"Files: {', '.join(str(folder / n) for n in DEMO_FILES)}", markup=False)
    console.print("Do the same on your own CSV (a date column and a value column):")
    console.print("  rnnforecast evaluate your.csv --horizon 12 --models lstm,naive,seasonal_drift",
                  soft_wrap=True, markup=False)


# ------------------------------------------------------------------------------ info


def run_info(model_file: str, output_format: str) -> None:
    from rich.table import Table

    from rnnforecast.forecaster import Forecaster

    check_choice(output_format, "--format", ("table", "json"))
    forecaster = Forecaster.load(model_file)
    summary = forecaster.info()
    states = list(forecaster.series_.values())
    ends = sorted(format_ds(s.last_ds) for s in states)
    losses = forecaster.history_.get("train_loss", [])
    details = {
        "file": str(model_file),
        "file_bytes": Path(model_file).stat().st_size,
        **summary,
        "data_ends": ends[-1] if len(set(ends)) == 1 else f"{ends[0]}..{ends[-1]}",
        "series_ids": [s.unique_id for s in states[:10]] + (["..."] if len(states) > 10 else []),
        "stored_history_points": max(len(s.tail) for s in states),
        "final_train_loss": losses[-1] if losses else None,
        "settings": resolved_settings(forecaster),
        "chosen_for_the_data": chosen_settings(forecaster),
    }
    if output_format == "json":
        print(json.dumps(details, indent=2, default=str))
        return
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    rows = [
        ("model", f"{summary['model']} ({summary['parameters']:,} parameters)"),
        ("series", f"{summary['series']}: {', '.join(details['series_ids'])}"),
        ("frequency", f"{summary['frequency']} (season length {summary['season_length']})"),
        ("trained on data ending", details["data_ends"]),
        ("horizon", str(forecaster.horizon)),
        ("lookback", str(summary["lookback"])),
        ("training", f"{summary['epochs_run']} epochs ({_stop(summary['stop_reason'])}), "
                     f"final training loss {_loss(details['final_train_loss'])}"),
        ("file", f"{details['file_bytes']:,} bytes"),
    ]
    for field, value in rows:
        table.add_row(field, value)
    settings = Table()
    settings.add_column("option")
    settings.add_column("value used")
    chosen = set(details["chosen_for_the_data"])
    for key, value in details["settings"].items():
        text = str(value) if value is not None else (
            "auto (per series)" if key == "nonnegative" else "none")
        settings.add_row(key, text + (" (chosen for the data)" if key in chosen else ""))
    console = stdout_console()
    console.print(f"model file {model_file}", soft_wrap=True)
    console.print(table)
    console.print("settings")
    console.print(settings)


def chosen_settings(forecaster: Any) -> list[str]:
    """The settings left to the data (None in the constructor) that the fit resolved."""
    fitted = _fitted_values(forecaster)
    return [k for k, v in forecaster.get_params().items() if v is None and k in fitted]


def resolved_settings(forecaster: Any) -> dict[str, Any]:
    """The settings the fit used: the constructor's, with those left to the data (None)
    replaced by what the fit chose (`settings_`, `lookback_`, `season_length_`)."""
    fitted = _fitted_values(forecaster)
    return {k: (fitted[k] if v is None and k in fitted else v)
            for k, v in forecaster.get_params().items() if k != "quiet"}


def _fitted_values(forecaster: Any) -> dict[str, Any]:
    return {**getattr(forecaster, "settings_", {}), "lookback": forecaster.lookback_,
            "season_length": forecaster.season_length_}


def _stop(reason: str) -> str:
    return "all epochs run" if reason == "epochs" else reason


def _loss(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}"
