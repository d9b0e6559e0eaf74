"""Shared fixtures for the core-module tests (names start with ``core_``)."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def core_air() -> pd.DataFrame:
    """The embedded AirPassengers series as the canonical long frame (144 rows)."""
    from rnnforecast import load_dataset

    return load_dataset("airpassengers")


@pytest.fixture(scope="session")
def core_air_train(core_air: pd.DataFrame) -> pd.DataFrame:
    """AirPassengers' first 120 months (1949-01 .. 1958-12)."""
    return core_air.iloc[:120].reset_index(drop=True)
