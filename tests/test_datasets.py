"""The embedded datasets: shipped inside the package, loaded as the canonical frame."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from rnnforecast import DataError, list_datasets, load_dataset


def test_airpassengers_facts() -> None:
    frame = load_dataset("airpassengers")
    assert list(frame.columns) == ["unique_id", "ds", "y"]
    assert len(frame) == 144
    assert frame["y"].sum() == 40363
    assert frame["y"].dtype == np.float64
    assert frame["y"].iloc[:6].tolist() == [112, 118, 132, 129, 121, 135]
    assert frame["y"].iloc[-1] == 432
    assert frame["ds"].iloc[0] == pd.Timestamp("1949-01-01")
    assert frame["ds"].iloc[-1] == pd.Timestamp("1960-12-01")
    assert frame["y"].min() == 104
    assert frame.loc[frame["y"].idxmin(), "ds"] == pd.Timestamp("1949-11-01")
    assert frame["y"].max() == 622
    assert frame.loc[frame["y"].idxmax(), "ds"] == pd.Timestamp("1960-07-01")
    assert frame["unique_id"].nunique() == 1
    assert frame.attrs["freq"] == "MS"


def test_names_are_case_insensitive() -> None:
    assert len(load_dataset(" AirPassengers ")) == 144


def test_list_datasets() -> None:
    names = list_datasets()
    assert "airpassengers" in names
    assert all(isinstance(d, str) and d for d in names.values())
    assert "144" in names["airpassengers"]


def test_unknown_dataset() -> None:
    with pytest.raises(DataError, match=r"unknown dataset 'm5'.*airpassengers"):
        load_dataset("m5")


def test_data_file_is_inside_the_installed_package() -> None:
    resource = resources.files("rnnforecast") / "data" / "datasets" / "airpassengers.csv"
    assert resource.is_file()
    text = resource.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "unique_id,ds,y"
    assert len(text.splitlines()) == 145
    typed = resources.files("rnnforecast") / "py.typed"
    assert typed.is_file()
