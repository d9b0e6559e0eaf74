"""What every command needs: error lines and exit codes, messages, help texts, and the few
helpers the commands share (the reading options, describing a frame, writing a result).

Only the standard library is imported at module level, so that ``rnnforecast --help`` stays
fast; rich, pandas and the library load inside functions.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnforecast.cli.language import cli_language

if TYPE_CHECKING:
    from rnnforecast.data.reader import ReadOptions

EXIT_BAD_INPUT = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130

#: the model names for help texts: `rnnforecast.forecaster.MODELS`,
#: `rnnforecast.combination.COMBINATIONS` and `rnnforecast.baselines.BASELINES`, copied here
#: because ``--help`` imports neither pandas nor torch; tests/test_cli_outputs.py fails when
#: they drift from the registries
NETWORK_NAMES = ("lstm", "gru", "rnn", "seq2seq")
COMBINATION_NAMES = ("lstm_ets_theta",)
BASELINE_NAMES = ("naive", "seasonal_naive", "drift", "mean", "seasonal_drift", "naive2",
                  "auto_ets", "auto_arima", "theta", "auto_ets_log", "auto_arima_log",
                  "theta_log")
#: the flags that name the data's columns (the column fields of `ReadOptions`)
READ_KEYS = ("time_col", "value_col", "id_col")


@dataclass
class Options:
    """The global options, set by the app's callback on every run."""

    quiet: bool = False
    verbose: bool = False
    debug: bool = False


OPTIONS = Options()


def rewrap(func: Callable[..., None]) -> Callable[..., None]:
    """Join each paragraph of a command's docstring into one line, so that the help screen
    wraps it to the terminal's width instead of keeping the source's line breaks."""
    doc = inspect.cleandoc(func.__doc__ or "")
    func.__doc__ = "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))
    return func


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


def notice(message: str) -> None:
    """A choice made on the user's behalf (``--levels 0.8`` read as 80%): on stderr whether
    or not it is a terminal, since it changes the result; never with --quiet."""
    if not OPTIONS.quiet:
        stderr_console().print(message, soft_wrap=True, markup=False)


def detail(message: str) -> None:
    """A message shown only with --verbose."""
    if OPTIONS.verbose and not OPTIONS.quiet:
        stderr_console().print(message)


def stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False)


def stdout_console() -> Any:
    """A console for results: colour only on a terminal, and when piped as wide as COLUMNS
    says, or 200 columns, so that tables are not squeezed to 80 columns by default."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(file=sys.stdout, highlight=False)
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else 200
    return Console(file=sys.stdout, highlight=False, width=width, no_color=True)


def _warning_printer() -> Callable[..., None]:
    """``warnings.showwarning`` for one command: each warning or note as one line, and a
    line already shown is not repeated (the same check fires again when a protocol or a
    combination re-reads its training part)."""
    shown: set[str] = set()

    def show(message: Any, category: Any, filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        text = cli_language(" ".join(str(message).split()))
        prefix = getattr(category, "prefix", "warning")  # "note" for the reader's notices
        said = f"{prefix}: {text}"
        if not OPTIONS.quiet and said not in shown:
            shown.add(said)
            sys.stderr.write(said + "\n")

    return show


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """Run a command: user errors (every `RnnForecastError`, a path that cannot be read or
    written) become one ``error:`` line and exit code 2, anything else one line and exit
    code 1 (with the traceback under --debug), Ctrl-C exit code 130 without a traceback."""
    import typer

    from rnnforecast.errors import RnnForecastError

    with warnings.catch_warnings():  # the filters stay as they are; only the display changes
        warnings.showwarning = _warning_printer()
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
            error_line(cli_language(str(exc)))
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


# ------------------------------------------------------------------- shared helpers


def forecaster_params() -> list[str]:
    """The `Forecaster` constructor's argument names."""
    from rnnforecast.forecaster import Forecaster

    return [p for p in inspect.signature(Forecaster.__init__).parameters if p != "self"]


def read_options(settings: Mapping[str, Any]) -> ReadOptions:
    """The reading options of a command: its --time-col, --value-col, --id-col and --fill,
    found under their Python names in ``settings`` (absent or None: not given)."""
    from rnnforecast.data.reader import ReadOptions

    return ReadOptions(**{k: settings.get(k) for k in (*READ_KEYS, "fill")})


def describe_frame(frame: Any) -> str:
    """``N points in K series, first..last`` for --verbose messages."""
    from rnnforecast.io.timestamps import format_ds

    n_series = frame["unique_id"].nunique()
    return (f"{len(frame)} points in {n_series} series, "
            f"{format_ds(frame['ds'].min())}..{format_ds(frame['ds'].max())}")


def write_text(path: str | Path, text: str) -> None:
    """Write a result file atomically (all or nothing)."""
    from rnnforecast.io.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def read_data(settings: Mapping[str, Any]) -> Any:
    """The DATA of a command whose settings hold ``data`` and its `read_options`."""
    return read_options(settings).read(settings["data"])
