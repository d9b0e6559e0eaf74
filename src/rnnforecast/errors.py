"""Errors a user can act on.

Every error that reaches a user names what went wrong, where, and what to do. The command
line turns each of these into one line on stderr and exit code 2; anything else is a bug.
"""

from __future__ import annotations


class RnnForecastError(Exception):
    """Base of every error caused by the user's input, options or files (never a bug)."""


class DataError(RnnForecastError, ValueError):
    """Input data that cannot be forecast as given: the message says where and how to fix it."""


class ConfigError(RnnForecastError, ValueError):
    """An option with a value outside what it accepts (names the option and the allowed values)."""


class ModelFileError(RnnForecastError):
    """A model file that is not ours, is corrupted or truncated, or of an unknown format."""


class TrainingError(RnnForecastError):
    """Training that could not produce a usable model (for example a loss that became NaN)."""


def require(module: str, what: str) -> None:
    """Import ``module`` or raise a `ConfigError` telling the user to install the extra
    (pyarrow and dask.distributed come with ``pip install 'rnnforecast[scale]'``)."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"{what} needs the optional package '{module.split('.')[0]}': install it with "
            "pip install 'rnnforecast[scale]'"
        ) from None
