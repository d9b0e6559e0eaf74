"""rnnforecast: honest, fast recurrent-network forecasting on a plain CPU.

Importing the package is cheap: torch is imported only when a network is built or loaded, so
``rnnforecast --help``, data checks and baselines never pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnforecast._version import __version__
from rnnforecast.errors import (
    ConfigError,
    DataError,
    ModelFileError,
    RnnForecastError,
    TrainingError,
)

if TYPE_CHECKING:
    from rnnforecast.data.datasets import list_datasets, load_dataset
    from rnnforecast.data.reader import read_series
    from rnnforecast.forecaster import Forecaster

__all__ = [
    "ConfigError",
    "DataError",
    "Forecaster",
    "ModelFileError",
    "RnnForecastError",
    "TrainingError",
    "__version__",
    "list_datasets",
    "load_dataset",
    "read_series",
]

_LAZY = {
    "Forecaster": "rnnforecast.forecaster",
    "read_series": "rnnforecast.data.reader",
    "load_dataset": "rnnforecast.data.datasets",
    "list_datasets": "rnnforecast.data.datasets",
}


def __getattr__(name: str) -> Any:
    """Import public objects on first use (pandas-heavy modules load only when needed)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rnnforecast' has no attribute {name!r}")
