"""``rnnforecast explain gradients`` and ``explain compare``: what recurrent networks do,
measured on the user's data.

Only typer and the standard library are imported at module level (``rnnforecast --help``
stays fast and never imports torch); the work is imported when a command runs. Errors go
through `reported_errors` (one ``error:`` line, exit code 2) and every file is written atomically
after everything was computed.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rnnforecast.cli.checks import check_positives, refuse_overwrite
from rnnforecast.cli.options import (
    MODEL_PANEL,
    Data,
    DateFormat,
    Decimal,
    Ensemble,
    Epochs,
    Fill,
    HiddenSize,
    IdCol,
    SeasonLength,
    TimeCol,
    ValueCol,
)
from rnnforecast.cli.support import read_data, reported_errors, say, stdout_console
from rnnforecast.data.reading import command_line

explain_app = typer.Typer(
    name="explain",
    help="See what recurrent networks do, measured on your data: gradient flow through time, "
    "RNN vs LSTM vs GRU, depth, dropout and gradient clipping.",
    epilog="Example: rnnforecast explain gradients sales.csv --out gradients/",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: what ``explain gradients`` writes into its --out folder
GRADIENT_FILES = ("gradient-flow.png", "gradient-flow.csv", "gradient-flow.json",
                  "clipping.png", "clipping.csv")

@explain_app.command(epilog="Example: rnnforecast explain gradients sales.csv --models "
                     "rnn,lstm,gru --lookback 48 --out gradients/")
def gradients(
    data: Data,
    out: Annotated[str, typer.Option(help="Folder for the figures, CSV and JSON.")]
    = "rnnforecast-gradients",
    models: Annotated[str, typer.Option(
        help="Comma-separated cells: rnn, lstm, gru.")] = "rnn,lstm,gru",
    lookback: Annotated[int | None, typer.Option(
        help="Input window whose gradient is measured (default 48, fewer when the data is "
        "short).", show_default=False)] = None,
    horizon: Annotated[int | None, typer.Option(
        help="Steps the networks forecast (default: one season).", show_default=False)]
    = None,
    epochs: Epochs = None,
    hidden_size: HiddenSize = None,
    ensemble: Ensemble = None,
    seed: Annotated[int, typer.Option(help="Random seed.", rich_help_panel=MODEL_PANEL)] = 0,
    season_length: SeasonLength = None,
    fill: Fill = None,
    time_col: TimeCol = None,
    value_col: ValueCol = None,
    id_col: IdCol = None,
    date_format: DateFormat = None,
    decimal: Decimal = None,
) -> None:
    """Gradient flow through time: how far back in the input window the loss reaches.

    Fits each cell on DATA and measures ||dL/dh_t|| for every step t of the input window
    and every layer (exactly, by backpropagation through the unrolled network, averaged over
    the training windows), for the trained network and the untrained one it started from.
    Writes gradient-flow.png (all cells on one log-scale figure), gradient-flow.csv/.json,
    and the gradient norm per epoch before and after clipping (clipping.png, clipping.csv).
    """
    settings = dict(locals())
    with reported_errors(), command_line(settings.pop("date_format"), settings.pop("decimal")):
        run_gradients(settings)


@explain_app.command(epilog="Example: rnnforecast explain compare sales.csv --horizon 12 "
                     "--out compare/")
def compare(
    data: Data,
    horizon: Annotated[int | None, typer.Option(
        help="Steps per backtest window (default: one season).", show_default=False)]
    = None,
    out: Annotated[str, typer.Option(help="Folder for the table, figures and reading.")]
    = "rnnforecast-compare",
    seeds: Annotated[int, typer.Option(help="Seeds per setting (the spread across them "
                                       "decides what counts as a difference).")] = 5,
    windows: Annotated[int, typer.Option(help="Rolling backtest origins.")] = 3,
    factors: Annotated[str, typer.Option(
        help="Comma-separated factors to vary: cell, layers, dropout, clipping.")]
    = "cell,layers,dropout,clipping",
    epochs: Epochs = None,
    hidden_size: HiddenSize = None,
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
    """RNN vs LSTM vs GRU, 1/2/3 layers, dropout, clipping: one factor at a time.

    From the default (LSTM, 1 layer, no dropout, clipping at 1.0) each factor is varied
    alone; every setting is fitted with the same seeds and budget and scored by a
    rolling-origin backtest (MASE, mean and sd across seeds), beside seasonal naive.
    Dropout acts between layers, so it is compared at 2 layers. Prints the table and a
    plain-language reading that states a difference only when it exceeds the seeds' spread;
    writes compare.csv, compare-seeds.csv, compare.json, compare.png and one figure per
    factor.
    """
    settings = dict(locals())
    with reported_errors(), command_line(settings.pop("date_format"), settings.pop("decimal")):
        run_compare(settings)


# ---------------------------------------------------------------------------- work


def _out_folder(out: str, data: str, names: tuple[str, ...]) -> Any:
    """The output folder; none of the files written there may be the data file."""
    from pathlib import Path

    from rnnforecast.errors import ConfigError

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--out {out} is a file: give a folder for the files")
    for name in names:
        refuse_overwrite(str(folder / name), "--out", {"data file": data})
    return folder


def run_gradients(settings: dict[str, Any]) -> None:
    from contextlib import ExitStack

    import pandas as pd

    from rnnforecast.errors import ConfigError
    from rnnforecast.explain.common import default_horizon, default_lookback
    from rnnforecast.explain.gradients import clipping_frame, forecaster_gradient_flow
    from rnnforecast.explain.report import report_lags
    from rnnforecast.forecaster import Forecaster
    from rnnforecast.forecaster.inputs import CELL_NAMES as MODELS  # not seq2seq
    from rnnforecast.io.atomic import atomic_path
    from rnnforecast.plotting.explain import clipping_figure, gradient_flow_figure

    folder = _out_folder(settings["out"], settings["data"], GRADIENT_FILES)
    cells = [m.strip().lower() for m in settings["models"].split(",") if m.strip()]
    for cell in cells:
        if cell not in MODELS:
            raise ConfigError(f"--models: unknown cell '{cell}': use any of {', '.join(MODELS)}")
    if not cells:
        raise ConfigError(f"--models is empty: use any of {', '.join(MODELS)}")
    cells = list(dict.fromkeys(cells))
    check_positives(settings, "horizon", "lookback", "epochs", "hidden_size", "ensemble",
                    "season_length")
    if settings["seed"] < 0:
        raise ConfigError(f"--seed {settings['seed']} is invalid: use an integer >= 0")
    frame = read_data(settings)
    h = settings["horizon"] or default_horizon(frame, 1, settings["season_length"], 1 / 3)
    lookback = settings["lookback"] or default_lookback(frame, h, 48)
    kwargs = {k: settings[k] for k in ("epochs", "hidden_size", "ensemble", "season_length",
                                       "fill") if settings[k] is not None}
    flows, clips, summary = [], {}, []
    for cell in cells:
        say(f"fitting the {cell} (lookback {lookback}, horizon {h})")
        forecaster = Forecaster(cell, horizon=h, lookback=lookback, seed=settings["seed"],
                                **kwargs).fit(frame)
        for initial in (False, True):
            flow = forecaster_gradient_flow(forecaster, frame, initial=initial)
            flows.append(flow)
            lags = report_lags(flow.steps, int(forecaster.season_length_))
            summary.append({"model": cell, "state": flow.state,
                            **{f"lag {k}": flow.ratio(k) for k in lags}})
        clips[cell] = clipping_frame(forecaster.history_, forecaster.clip)
    table = pd.concat([f.to_frame() for f in flows], ignore_index=True)
    clip_table = pd.concat([c.assign(model=m) for m, c in clips.items()], ignore_index=True)
    payload = {
        "lookback": lookback, "horizon": h, "seed": settings["seed"],
        "definition": "grad_norm[layer][t] = mean over training windows (geometric mean over "
        "ensemble members) of ||dL/dh_t||, h_t the hidden state after input step t (t = 0 "
        "oldest, T-1 last); relative = grad_norm / grad_norm at t = T-1",
        "flows": [f.to_json() for f in flows],
        "clipping": {m: c.drop(columns=["clip"]).to_dict(orient="list") for m, c in clips.items()},
        "clip": {m: (None if c["clip"].isna().all() else float(c["clip"].iloc[0]))
                 for m, c in clips.items()},
    }
    names = GRADIENT_FILES
    with ExitStack() as stack:
        tmp = {n: stack.enter_context(atomic_path(folder / n)) for n in names}
        gradient_flow_figure(table, path=tmp["gradient-flow.png"], fmt="png",
                             mark_lag=lookback - 1,
                             title=f"Gradient flow through a {lookback}-step window "
                             "(solid: trained, dashed: initial)")
        table.to_csv(tmp["gradient-flow.csv"], index=False)
        tmp["gradient-flow.json"].write_text(dumps(payload), encoding="utf-8")
        clipping_figure(clips, path=tmp["clipping.png"], fmt="png")
        clip_table.to_csv(tmp["clipping.csv"], index=False)
    _print_ratio_table(summary, "||dL/dh_t|| relative to the last step (t = T-1), top layer, "
                       "at k steps back")
    console = stdout_console()
    for m, c in clips.items():
        clip = c["clip"].iloc[0]
        above = "clipping off" if not pd.notna(clip) else (
            f"{(c['grad_norm'] > clip).mean():.0%} of epochs above the threshold {clip:g}")
        console.print(f"{m}: gradient norm before clipping {c['grad_norm'].min():.3g} .. "
                      f"{c['grad_norm'].max():.3g} per epoch; {above}", soft_wrap=True)
    console.print(f"Files: {', '.join(str(folder / n) for n in names)}", soft_wrap=True)


def _print_ratio_table(rows: list[dict[str, Any]], title: str) -> None:
    from rich.table import Table

    lags = [k for k in rows[0] if k.startswith("lag ")]
    table = Table(title=title, title_justify="left")
    table.add_column("model", style="bold")
    table.add_column("weights")
    for lag in lags:
        table.add_column(lag, justify="right")
    for row in rows:
        table.add_row(row["model"], row["state"], *[f"{row[k]:.1e}" for k in lags])
    stdout_console().print(table)


def run_compare(settings: dict[str, Any]) -> None:
    from contextlib import ExitStack

    from rich.table import Table

    from rnnforecast.errors import ConfigError
    from rnnforecast.explain.compare import FACTORS
    from rnnforecast.explain.compare import compare as run
    from rnnforecast.explain.narrative import fmt
    from rnnforecast.io.atomic import atomic_path
    from rnnforecast.plotting.explain import compare_figure

    factors = [f.strip().lower() for f in settings["factors"].split(",") if f.strip()]
    for f in factors:
        if f not in FACTORS:
            raise ConfigError(f"--factors: unknown factor '{f}': use any of {', '.join(FACTORS)}")
    if not factors:
        raise ConfigError(f"--factors is empty: use any of {', '.join(FACTORS)}")
    folder = _out_folder(settings["out"], settings["data"], (
        "compare.csv", "compare-seeds.csv", "compare.json", "compare.png",
        *[f"compare-{f}.png" for f in factors]))
    check_positives(settings, "horizon", "seeds", "windows", "epochs", "hidden_size",
                    "ensemble", "lookback", "season_length")
    frame = read_data(settings)
    result = run(frame, settings["horizon"], factors=list(dict.fromkeys(factors)),
                 seeds=settings["seeds"], windows=settings["windows"],
                 epochs=settings["epochs"], ensemble=settings["ensemble"],
                 hidden_size=settings["hidden_size"], lookback=settings["lookback"],
                 season_length=settings["season_length"], fill=settings["fill"], on_step=say)
    factors = result.notes["factors"]
    names = ["compare.csv", "compare-seeds.csv", "compare.json", "compare.png",
             *[f"compare-{f}.png" for f in factors]]
    payload = {"notes": result.notes, "paragraph": result.paragraph,
               "claims": [{"subject": c.subject, "reference": c.reference,
                           "subject_config": c.subject_config,
                           "reference_config": c.reference_config, "verdict": c.verdict,
                           "mase": [c.a.mean, c.b.mean], "mase_sd": [c.a.sd, c.b.sd]}
                          for c in result.claims],
               "table": result.table.to_dict(orient="records")}
    ref = result.reference_mase()
    with ExitStack() as stack:
        tmp = {n: stack.enter_context(atomic_path(folder / n)) for n in names}
        result.table.to_csv(tmp["compare.csv"], index=False)
        result.seeds.to_csv(tmp["compare-seeds.csv"], index=False)
        tmp["compare.json"].write_text(dumps(payload), encoding="utf-8")
        compare_figure(result.table, result.seeds, factors, path=tmp["compare.png"],
                       fmt="png", reference=ref)
        for f in factors:
            compare_figure(result.table, result.seeds, [f], path=tmp[f"compare-{f}.png"],
                           fmt="png", reference=ref, title=f"{f} (* = default setting)")
    table = Table(title=f"One factor at a time: backtest MASE over {result.notes['seeds']} "
                  f"seeds, {result.notes['windows']} windows of {result.notes['horizon']} steps",
                  title_justify="left")
    for col, justify in (("factor", "left"), ("level", "left"), ("MASE", "right"),
                         ("sd", "right"), ("worst seed", "right"), ("fit CPU s", "right"),
                         ("parameters", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in result.table.to_dict(orient="records"):
        table.add_row(str(row["factor"]), str(row["level"]) + (" *" if row["is_default"] else ""),
                      fmt(row["mase"]), fmt(row["mase_sd"]), fmt(row["mase_max"]),
                      fmt(row["fit_seconds"]), str(row["parameters"]))
    console = stdout_console()
    console.print(table)
    console.print("* = the default setting each level is compared with", soft_wrap=True)
    console.print(result.paragraph, soft_wrap=True, markup=False)
    console.print(f"CPU time: {result.notes['cpu_seconds']:.1f} s. Files: "
                  f"{', '.join(str(folder / n) for n in names)}", soft_wrap=True)


def dumps(payload: Any) -> str:
    """A JSON file's text: plain values, NaN and inf as null, anything else as its text."""
    import json

    from rnnforecast.io.jsonsafe import plain

    return json.dumps(plain(payload), indent=1, allow_nan=False, default=str) + "\n"
