"""Interval levels: names, checks and parsing (a leaf: errors and numpy only).

Levels are in percent and named like statsforecast and neuralforecast: 80 -> "80",
97.5 -> "97.5"; a model's interval columns are ``<model>-lo-<level>`` / ``<model>-hi-<level>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from rnnforecast.errors import ConfigError

__all__ = [
    "check_levels",
    "format_level",
    "interval_columns",
    "level_values",
    "parse_levels",
    "quantiles_for",
]


def format_level(level: float) -> str:
    """A level as it appears in column names: 80 -> "80", 97.5 -> "97.5"."""
    value = float(level)
    return str(int(value)) if value.is_integer() else repr(value)


def check_levels(levels: Any, name: str = "levels") -> list[float]:
    """The levels, sorted ascending; `ConfigError` unless a non-empty list of distinct
    numbers in (0, 100)."""
    what = (f"{name}={levels!r} is invalid: use a list of distinct percentages in (0, 100), "
            "e.g. [80, 95]")
    if isinstance(levels, (str, bytes)) or not isinstance(levels, Iterable):
        raise ConfigError(what)
    values = list(levels)
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, float, np.number))
                         for v in values):
        raise ConfigError(what)
    floats = [float(v) for v in values]
    if any(not (0.0 < v < 100.0) for v in floats) or len(set(floats)) != len(floats):
        raise ConfigError(what)
    return sorted(floats)


def parse_levels(text: str | Sequence[Any] | None, option: str = "--levels") -> list[float] | None:
    """``"80,95"`` (the CLI) or a list (a config file) as a checked list of levels."""
    if text is None:
        return None
    return check_levels(level_values(text, option), option)


def level_values(text: str | Sequence[Any] | float, option: str = "--levels") -> list[Any]:
    """The numbers of ``"80,95"``, a list or one number, not yet checked as levels."""
    if isinstance(text, str):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        try:
            return [float(p) for p in parts]
        except ValueError:
            raise ConfigError(f"{option} '{text}' is invalid: use comma-separated percentages "
                              "in (0, 100), e.g. 80,95") from None
    return list(text) if isinstance(text, (list, tuple)) else [text]


def quantiles_for(levels: Sequence[float]) -> list[float]:
    """The quantiles of the heads, in output order: for each level (ascending) its lower
    then its upper quantile."""
    out: list[float] = []
    for level in check_levels(levels):
        alpha = 1.0 - level / 100.0
        out += [alpha / 2.0, 1.0 - alpha / 2.0]
    return out


def interval_columns(model: str, levels: Sequence[float]) -> list[str]:
    """``<model>-lo-<l>``, ``<model>-hi-<l>`` for each level (ascending)."""
    out = []
    for level in check_levels(levels):
        out += [f"{model}-lo-{format_level(level)}", f"{model}-hi-{format_level(level)}"]
    return out
