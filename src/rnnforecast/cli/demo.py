"""``rnnforecast demo``: the whole job on the embedded AirPassengers data."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from rnnforecast.cli.support import OPTIONS, reported_errors, stdout_console

EPILOG = "Example: rnnforecast demo --out demo/"
#: what the demo writes into its --out folder
DEMO_FILES = ("forecast.png", "training.png", "forecast.csv", "metrics.json")


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
    with reported_errors():
        run_demo(out)


def run_demo(out: str) -> None:
    import json

    from rnnforecast.cli.tables import render_summary
    from rnnforecast.data.datasets import load_dataset
    from rnnforecast.errors import ConfigError
    from rnnforecast.evaluation import run_protocol, summary_records
    from rnnforecast.evaluation.summary import verdict
    from rnnforecast.io.atomic import atomic_path
    from rnnforecast.io.timestamps import format_ds
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
