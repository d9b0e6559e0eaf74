"""``rnnforecast info``: what a model file holds, as tables or JSON
(`rnnforecast.evaluation.describe.describe_model`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rnnforecast.cli.checks import check_choice
from rnnforecast.cli.support import reported_errors, stdout_console

EPILOG = "Example: rnnforecast info sales.rnnf --format json"


def info(
    model_file: Annotated[str, typer.Argument(
        metavar="MODEL", help="A model file written by 'rnnforecast fit'.", show_default=False)],
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """What a model file holds: model, settings, data span, series, training."""
    with reported_errors():
        run_info(model_file, output_format)


def run_info(model_file: str, output_format: str) -> None:
    import json

    from rich.table import Table

    from rnnforecast.combination import LstmEtsTheta, load_model_file
    from rnnforecast.evaluation.describe import describe_model

    check_choice(output_format, "--format", ("table", "json"))
    model = load_model_file(model_file, network=False)  # no torch: a description
    forecaster = model.network_ if isinstance(model, LstmEtsTheta) else model
    details = describe_model(forecaster, model_file)
    if isinstance(model, LstmEtsTheta):
        details["combination"] = {"model": model.model, "weights": dict(model.weights),
                                  "history_points": len(model.history())}
    if output_format == "json":
        print(json.dumps(details, indent=2, default=str))
        return
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    network = f"{details['model']} ({details['parameters']:,} parameters)"
    if isinstance(model, LstmEtsTheta):
        network = (f"{model.model}: {model.formula(network)} (refitted on the "
                   f"{details['combination']['history_points']:,} training points kept)")
    rows = [
        ("model", network),
        ("series", f"{details['series']}: {', '.join(details['series_ids'])}"),
        ("frequency", f"{details['frequency']} (season length {details['season_length']})"),
        ("trained on data ending", details["data_ends"]),
        ("horizon", str(forecaster.horizon)),
        ("lookback", str(details["lookback"])),
        ("training", f"{details['epochs_run']} epochs ({_stop(details['stop_reason'])}), "
                     f"final training loss {_loss(details['final_train_loss'])}"),
        ("guard", _guard(forecaster, details)),
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


def _stop(reason: str) -> str:
    return "all epochs run" if reason == "epochs" else reason


def _loss(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}"


def _guard(forecaster: Any, details: dict[str, Any]) -> str:
    if not forecaster.guard:
        return "off (the network forecasts every series)"
    if not details["guarded"]:
        return "on: the network forecasts every series"
    named = ", ".join(f"{uid} ({kind.replace('_', ' ')})"
                      for uid, kind in details["guarded_series"].items())
    more = ", ..." if details["guarded"] > len(details["guarded_series"]) else ""
    return (f"on: {details['guarded']} of {details['series']} series forecast by a baseline "
            f"that beat the network on their last horizon: {named}{more}")
