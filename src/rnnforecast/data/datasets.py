"""Datasets that ship inside the package, so examples and tests never need the network."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from rnnforecast.errors import DataError

__all__ = ["list_datasets", "load_dataset"]

_DATASETS = {
    "airpassengers": (
        "airpassengers.csv",
        "Monthly international airline passengers (thousands), 1949-01..1960-12, 144 values "
        "(Box & Jenkins series G)",
    ),
}


def list_datasets() -> dict[str, str]:
    """Names of the embedded datasets with a one-line description of each."""
    return {name: description for name, (_, description) in _DATASETS.items()}


def load_dataset(name: str) -> pd.DataFrame:
    """An embedded dataset as the canonical long frame ``unique_id, ds, y``."""
    from rnnforecast.data.reader import read_series

    key = name.lower().strip()
    if key not in _DATASETS:
        raise DataError(f"unknown dataset '{name}': available are {', '.join(_DATASETS)}")
    filename = _DATASETS[key][0]
    with resources.as_file(resources.files("rnnforecast.data") / "datasets" / filename) as path:
        return read_series(path)
