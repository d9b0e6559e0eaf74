"""How a read was asked for, and what the reader tells the user about it.

Kept free of pandas so that the command line can set it up cheaply. The command line wraps
each command in `command_line(...)`: its ``--date-format``/``--decimal`` then reach every
`read_series` call of the command (data, ``--test`` files, ...) without being threaded through
the layers in between, and messages name options as flags (``--date-format X``) instead of
Python keywords (``date_format='X'``).

What the reader decides on the user's behalf (day-first dates, decimal commas, rows dropped or
filled) is one `ReadNotice` line; data that reads fine but is probably not what was meant
(extreme outliers, a much shorter series) is a `DataWarning`. Both are Python warnings, so a
library user can filter them; the command line prints them as one ``note:``/``warning:`` line
on stderr unless ``--quiet``.
"""

from __future__ import annotations

import contextlib
import shlex
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "LONG_COLUMNS", "DataWarning", "Read", "ReadNotice", "command_line", "defaults", "option",
]


#: the canonical frame's columns, in order (covariates follow them)
LONG_COLUMNS = ("unique_id", "ds", "y")


class ReadNotice(UserWarning):
    """A choice the reader made on the user's behalf, reported so that it can be checked."""

    prefix = "note"


class DataWarning(UserWarning):
    """Data that was read, but that probably is not what the user meant."""

    prefix = "warning"


@dataclass(frozen=True)
class ReadDefaults:
    """Reading options given once for a whole command, and who is reading."""

    date_format: str | None = None
    decimal: str | None = None
    cli: bool = False


_NONE = ReadDefaults()
_DEFAULTS: ContextVar[ReadDefaults | None] = ContextVar("rnnforecast_read_defaults",
                                                        default=None)


def defaults() -> ReadDefaults:
    return _DEFAULTS.get() or _NONE


@contextlib.contextmanager
def command_line(date_format: str | None = None, decimal: str | None = None) -> Iterator[None]:
    """Inside: reads default to these options and messages speak in flags."""
    token = _DEFAULTS.set(ReadDefaults(date_format, decimal, cli=True))
    try:
        yield
    finally:
        _DEFAULTS.reset(token)


def option(name: str, value: str | None = None) -> str:
    """An option as the user spells it: ``--date-format %d/%m/%Y`` on the command line,
    ``date_format='%d/%m/%Y'`` in Python (``name`` is the Python keyword)."""
    if defaults().cli:
        flag = "--" + name.replace("_", "-")
        return flag if value is None else f"{flag} {shlex.quote(value)}"
    return f"{name}=" if value is None else f"{name}={value!r}"


def notify(message: str, category: type[UserWarning] = ReadNotice) -> None:
    """One line for the user (a warning, so that Python users can filter it)."""
    warnings.warn(message, category, stacklevel=4)


class Read:
    """One read: where the data came from, how it is read, and what was decided."""

    def __init__(self, where: str, lines: np.ndarray | None, date_format: str | None,
                 decimal: str | None, notes: list[str]) -> None:
        self.where, self.lines = where, lines
        self.date_format, self.decimal = date_format, decimal
        self.notes = notes
        self.dates_note: str | None = None  # how the dates were read, when it was a choice
