"""What the command line needs besides its commands: error lines and exit codes, messages,
``--config`` files, and the score tables. Only the standard library is imported at module
level, so that ``rnnforecast --help`` stays fast; rich and pandas load inside functions.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import os
import sys
import traceback
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130


@dataclass
class Options:
    """The global options, set by the app's callback on every run."""

    quiet: bool = False
    verbose: bool = False
    debug: bool = False


OPTIONS = Options()


# ------------------------------------------------------------------------- messages


def error_line(message: str) -> None:
    """``error: <message>`` as one line on stderr."""
    text = " ".join(str(message).split())
    sys.stderr.write(f"error: {text}\n")
    sys.stderr.flush()


def say(message: str) -> None:
    """A message for a person on stderr: on a terminal, or always with --verbose; never with
    --quiet. Results go to stdout and never through here."""
    if OPTIONS.quiet or not (OPTIONS.verbose or sys.stderr.isatty()):
        return
    stderr_console().print(message)


def detail(message: str) -> None:
    """A message shown only with --verbose."""
    if OPTIONS.verbose and not OPTIONS.quiet:
        stderr_console().print(message)


def stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False)


def stdout_console() -> Any:
    """A console for results: colour only on a terminal, and wide enough when piped that
    tables are not squeezed to 80 columns."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(file=sys.stdout, highlight=False)
    return Console(file=sys.stdout, highlight=False, width=200, no_color=True)


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    if not OPTIONS.quiet:
        text = " ".join(str(message).split())
        sys.stderr.write(f"warning: {text}\n")


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Run a command: user errors (every `RnnForecastError`, a path that cannot be read or
    written) become one ``error:`` line and exit code 2, anything else one line and exit
    code 1 (with the traceback under --debug), Ctrl-C exit code 130 without a traceback."""
    import typer

    from rnnforecast.errors import RnnForecastError

    with warnings.catch_warnings():  # the filters stay as they are; only the display changes
        warnings.showwarning = _show_warning
        try:
            yield
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(EXIT_BUG) from None
        except RnnForecastError as exc:
            _debug_traceback()
            error_line(str(exc))
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except OSError as exc:
            _debug_traceback()
            if exc.filename is None:
                error_line(f"{exc.strerror or exc}; check the paths and the free disk space")
                raise typer.Exit(EXIT_BUG) from None
            error_line(f"{exc.filename}: {exc.strerror or exc}; check the path")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except Exception as exc:
            _debug_traceback()
            error_line(
                f"unexpected {type(exc).__name__}: {exc}; this is a bug in rnnforecast: "
                "rerun with --debug for the traceback and report it"
            )
            raise typer.Exit(EXIT_BUG) from None


def _debug_traceback() -> None:
    if OPTIONS.debug:
        traceback.print_exc(file=sys.stderr)


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


# --------------------------------------------------------------------- config files


def load_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML file with `tomllib` (Python >= 3.11) or the `tomli` package."""
    from rnnforecast.errors import ConfigError

    try:
        toml: Any = importlib.import_module("tomllib")
    except ModuleNotFoundError:
        try:
            toml = importlib.import_module("tomli")
        except ModuleNotFoundError:
            raise ConfigError(
                "--config needs Python >= 3.11 or the 'tomli' package: pip install tomli"
            ) from None
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: config file not found")
    if p.is_dir():
        raise ConfigError(f"{p}: is a directory, expected a TOML config file")
    try:
        with open(p, "rb") as handle:
            data = toml.load(handle)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc}); fix the syntax") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not UTF-8 text; save the config file as UTF-8") from None
    return dict(data)


def load_config(path: str | os.PathLike[str], allowed: Iterable[str]) -> dict[str, Any]:
    """A ``--config`` file's settings: top-level keys named like the Python arguments (for
    example ``hidden_size = 32``); an unknown key is a `ConfigError` naming the closest one."""
    from rnnforecast.errors import ConfigError

    allowed = list(allowed)
    data = load_toml(path)
    for key, value in data.items():
        if key not in allowed:
            close = difflib.get_close_matches(key.replace("-", "_"), allowed, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ConfigError(
                f"{path}: unknown key '{key}'; {hint}allowed keys: {', '.join(sorted(allowed))}"
            )
        if isinstance(value, dict):
            raise ConfigError(f"{path}: '{key}' is a table; give settings as top-level keys")
    return data


def merge_settings(config: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    """Config file values, overridden by the flags that were given (not None)."""
    merged = dict(config)
    merged.update({k: v for k, v in flags.items() if v is not None})
    return merged


def parse_clip(value: Any, source: str = "--clip") -> float | None:
    """A clipping threshold: a number > 0, or 'none' / 'off' / false for no clipping."""
    from rnnforecast.errors import ConfigError

    if value is None or value is False:
        return None
    if isinstance(value, str):
        if value.strip().lower() in ("none", "off", "no", "false"):
            return None
        try:
            value = float(value)
        except ValueError:
            raise ConfigError(
                f"{source} '{value}' is invalid: use a number > 0, or 'none' for no clipping"
            ) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(
            f"{source} {value!r} is invalid: use a number > 0, or 'none' for no clipping"
        )
    return float(value)


def check_choice(value: str | None, option: str, choices: Iterable[str]) -> None:
    from rnnforecast.errors import ConfigError

    choices = list(choices)
    if value is not None and value not in choices:
        raise ConfigError(f"{option} '{value}' is invalid: use one of {', '.join(choices)}")


def check_positive(value: int | None, option: str) -> None:
    from rnnforecast.errors import ConfigError

    if value is not None and value < 1:
        raise ConfigError(f"{option} {value} is invalid: use an integer >= 1")


# --------------------------------------------------------------------------- tables


def fmt_number(value: Any) -> str:
    """A score for a table: 4 significant digits, thousands without exponent, '-' for none."""
    import math

    if value is None:
        return "-"
    v = float(value)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _cell(row: dict[str, Any], metric: str) -> str:
    text = fmt_number(row.get(metric))
    if int(row.get("seeds", 1)) > 1 and row.get(f"{metric}_sd") is not None:
        sd = row[f"{metric}_sd"]
        text += " ± " + (f"{sd:.2g}" if isinstance(sd, float) and abs(sd) < 1000 else
                         fmt_number(sd))
    return text


def render_summary(summary: Any, protocol: str, notes: dict[str, Any] | None = None,
                   title: str | None = None) -> None:
    """Print the per-model summary as a rich table on stdout; models that do not beat
    seasonal naive (on MASE) are marked, and in the tutorial protocol persistence too."""
    from rich.table import Table

    from rnnforecast.evaluation.summary import interval_headers, records_for_table

    rows = records_for_table(summary)
    tutorial = protocol == "tutorial"
    metrics = (["rmse", "scaled_rmse", "mase", "mae", "smape"] if tutorial
               else ["mase", "smape", "mape", "rmse", "mae"])
    headers = {"rmse": "RMSE", "scaled_rmse": "scaled RMSE", "mase": "MASE", "mae": "MAE",
               "smape": "sMAPE", "mape": "MAPE %"}
    intervals = interval_headers(summary)  # coverage and MSIS per level, when any model has them
    metrics += list(intervals)
    headers.update(intervals)
    table = Table()
    table.add_column("model", style="bold")
    table.add_column("seeds", justify="right")
    table.add_column("series", justify="right")
    for m in metrics:
        table.add_column(headers[m], justify="right")
    table.add_column("fit CPU s", justify="right")
    if tutorial:
        table.add_column("vs persistence (RMSE)")
    table.add_column("vs seasonal naive (MASE)")
    for row in rows:
        cells = [str(row["model"]), str(row["seeds"]), str(row["series"])]
        cells += [_cell(row, m) for m in metrics]
        cells.append(f"{row.get('fit_seconds') or 0.0:.2f}")
        if tutorial:
            cells.append(_verdict(row, "persistence", "beats_persistence"))
        cells.append(_verdict(row, "seasonal_naive", "beats_seasonal_naive"))
        table.add_row(*cells)
    console = stdout_console()
    if title:
        console.print(title, soft_wrap=True)
    console.print(table)
    for line in caption_lines(protocol, notes or {}):
        console.print(line, soft_wrap=True)


def _verdict(row: dict[str, Any], reference: str, key: str) -> str:
    if row["model"] == reference:
        return "reference"
    if key not in row:
        return "-"
    return "[green]beats it[/green]" if row[key] else "[red]does NOT beat it[/red]"


def caption_lines(protocol: str, notes: dict[str, Any]) -> list[str]:
    """What a reader needs to interpret the table: the split and the conventions."""
    if protocol == "tutorial":
        span, test = notes.get("train_span", ("?", "?")), notes.get("test_span", ("?", "?"))
        return [
            f"tutorial protocol: 67/33 chronological split, {notes.get('train_points')} "
            f"training points ({span[0]}..{span[1]}), {notes.get('test_points')} one-step-ahead "
            f"predictions from the true lagged values ({test[0]}..{test[1]}; as in the "
            f"tutorial, the last point {notes.get('unpredicted_last_point')} is never "
            f"predicted), lookback {notes.get('lookback')}.",
            f"scaled RMSE = RMSE / {fmt_number(notes.get('series_range'))} (max - min of the "
            "whole series), comparable with the tutorial's published 0.1008; models are "
            "fitted on the training part only.",
        ]
    if protocol == "backtest":
        refit = "refitted at every origin" if notes.get("refit") else (
            "fitted once at the oldest origin, then forecasting from the true history")
        return [
            f"backtest: {notes.get('windows')} rolling origins {notes.get('step')} steps apart, "
            f"{notes.get('test_points', '?')} held-out points in all; models {refit}. MASE is "
            "scaled by each window's training part; values are means over series and "
            "windows (± sd across seeds)."
        ]
    return [
        f"holdout: {notes.get('test_points', '?')} held-out points, forecast in one go from "
        "the end of each training series; MASE is scaled by the training part's seasonal "
        "naive error, sMAPE is on 0-200, values are means over series (± sd across seeds)."
    ]
