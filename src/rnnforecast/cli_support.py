"""What the command line needs besides its commands: error lines and exit codes, messages,
``--config`` files, options read the command line's way (outputs that would overwrite an
input, --levels as fractions, error texts in flags rather than keywords). Only the standard
library is imported at module level, so that ``rnnforecast --help`` stays fast; rich and
pandas load inside functions.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import os
import re
import sys
import traceback
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130

#: the model names for help texts: `rnnforecast.forecaster.MODELS` and then
#: `rnnforecast.baselines.BASELINES`, copied here because ``--help`` imports neither pandas
#: nor torch; tests/test_cli.py fails when they drift from the registries
NETWORK_NAMES = ("lstm", "gru", "rnn", "seq2seq")
BASELINE_NAMES = ("naive", "seasonal_naive", "drift", "mean", "seasonal_drift", "naive2",
                  "auto_ets", "auto_arima", "theta", "auto_ets_log", "auto_arima_log",
                  "theta_log")


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


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    if not OPTIONS.quiet:
        text = cli_language(" ".join(str(message).split()))
        prefix = getattr(category, "prefix", "warning")  # "note" for the reader's notices
        sys.stderr.write(f"{prefix}: {text}\n")


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


# ------------------------------------------------------- the command line's language

#: ``name=value`` as the Python API spells an option, with an optional ``(--flag ...)`` or
#: ``/ --flag`` after it when a message already names the flag too
_KEYWORD = re.compile(
    r"(?<![\w.-])(?P<name>(?:--)?[a-z][a-z0-9_-]*)="
    r"(?P<value>True\b|False\b|None\b|'[^']*'(?:\s*(?:\||or|,)\s*'[^']*')*|\[[^\]]*\]|<[^>]+>"
    r"|[^\s,;:)]*)"
    r"(?P<alt>\s*\((?P<paren>--[^)]*)\)|\s*/\s*(?P<slash>--[\w-]+))?")
#: a bare keyword with an underscore (``num_layers``): never an English word
_BARE = re.compile(r"(?<![\w.'\"-])[a-z]+_[a-z0-9_]+(?![\w='\"(])")
#: API spellings with no one-to-one flag
_SPECIAL = (
    ("Forecaster.load(path).fit(data, warm_start=True)", "rnnforecast fit DATA --init MODEL"),
    ("checkpoint=<folder>", "--checkpoint DIR"),
    ("warm_start=True", "--init"),
    (" or None", " or leave the option out"),
)


def cli_flags() -> dict[str, str]:
    """Every option of the command line, Python name -> flag (``output_format`` ->
    ``--format``), plus ``warm_start`` -> ``--init``; empty when the app is not loaded (the
    library used from Python)."""
    cli = sys.modules.get("rnnforecast.cli")
    if cli is None:
        return {}
    import typer.main

    flags: dict[str, str] = {"warm_start": "--init"}

    def walk(command: Any) -> None:
        for param in command.params:
            long = [o for o in getattr(param, "opts", []) if o.startswith("--")]
            if long and param.name:
                flags.setdefault(param.name, long[0])
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(cli.app))
    return flags


def cli_language(message: str, flags: Mapping[str, str] | None = None) -> str:
    """A library message in the command line's words: ``resume=True`` -> ``--resume``,
    ``strategy='recursive'`` -> ``--strategy recursive``, ``levels=[80, 95]`` -> ``--levels
    80,95``. Only names that are flags of this command line change, so that the Python API
    keeps its keywords and the CLI user reads flags, from the one message."""
    flags = cli_flags() if flags is None else flags
    if not flags:
        return message
    for api, cli in _SPECIAL:
        message = message.replace(api, cli)

    def flag_for(name: str) -> str | None:
        if name.startswith("--"):
            return name if name in flags.values() else None
        return flags.get(name)

    def translate(m: re.Match[str]) -> str:
        flag = flag_for(m["name"])
        if flag is None:
            return m[0]
        value = m["value"]
        if value == "True" or value == "":
            text = flag
        elif value == "False":
            text = f"without {flag}"
        elif value.startswith("["):
            text = f"{flag} " + ",".join(v.strip(" '\"") for v in value[1:-1].split(","))
        elif value.startswith("<"):
            text = f"{flag} {value[1:-1].upper()}"
        else:
            plain = "none" if value == "None" else value.replace("'", "")
            text = f"{flag} {plain}"
        alt = m["alt"] or ""
        other = m["paren"] or m["slash"] or ""
        return text if other.split(" ")[0] == flag else text + alt

    message = _KEYWORD.sub(translate, message)
    return _BARE.sub(lambda m: flags.get(m[0], m[0]), message)


# --------------------------------------------------------------------------- outputs


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two spellings name one file: the same inode when both exist, else the same
    resolved path (relative, absolute, through links)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_overwrite(output: str | None, option: str,
                     inputs: Mapping[str, str | os.PathLike[str] | None]) -> None:
    """A `ConfigError` when ``output`` is one of the command's ``inputs`` (description ->
    path), however either is spelled: writing there would replace what was read."""
    from rnnforecast.errors import ConfigError

    if output is None:
        return
    for what, path in inputs.items():
        if path is not None and Path(path).is_file() and _same_file(output, path):
            raise ConfigError(
                f"{option} {output} is the {what} {path}: writing there would overwrite it; "
                f"give {option} another file name"
            )


def levels_option(value: Any, source: str = "--levels") -> list[float] | None:
    """``--levels``: percentages (80,95), or fractions (0.8,0.95) read as percentages with a
    notice, since a 0.8% interval is never what was meant."""
    from rnnforecast.errors import ConfigError
    from rnnforecast.intervals import check_levels, format_level, level_values

    if value is None:
        return None
    numbers = level_values(value, source)
    plain = [v for v in numbers if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if plain and len(plain) == len(numbers) and all(0.0 < v < 1.0 for v in plain):
        percent = [round(100.0 * v, 10) for v in plain]
        given = ",".join(f"{v:g}" for v in plain)
        taken = ",".join(format_level(v) for v in percent)
        notice(f"note: {source} {given} read as {taken}% (levels are percentages; give "
               f"{taken} to say so)")
        return check_levels(percent, source)
    if any(0.0 < v < 1.0 for v in plain):
        raise ConfigError(f"{source} {value} mixes fractions and percentages: give every "
                          "level in percent, e.g. 80,95")
    return check_levels(numbers, source)
