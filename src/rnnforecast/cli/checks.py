"""Options read the command line's way: ``--config`` files, numbers and choices checked
with the flag's name in the message, outputs that would overwrite an input refused, and
--levels given as fractions read as percentages (with a notice).

Only the standard library is imported at module level; the library loads inside functions.
"""

from __future__ import annotations

import difflib
import importlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rnnforecast.cli.support import notice

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
    from rnnforecast.levels import check_levels, format_level, level_values

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


def check_positives(settings: Mapping[str, Any], *names: str) -> None:
    """`check_positive` for each of ``names`` in ``settings``, named as its flag."""
    for name in names:
        check_positive(settings.get(name), "--" + name.replace("_", "-"))


def check_output_path(path: str | None, option: str) -> None:
    """A `ConfigError` when an output file names a directory."""
    from rnnforecast.errors import ConfigError

    if path is not None and Path(path).is_dir():
        raise ConfigError(f"{option} {path} is a directory: give a file name")
