"""Splitting data into training and hold-out parts, and checking a given test set.

`split_last` holds out each series' last points, `backtest_splits` the windows of a rolling
origin; both cut every series at its own end. A hold-out must continue the training data
exactly: the same series, ``horizon`` points each, at the timestamps that follow each
training series at its frequency. Test values are never filled: a missing actual value
cannot be scored.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.frequency import future_timestamps, series_frequency
from rnnforecast.data.reader import ReadOptions
from rnnforecast.errors import DataError
from rnnforecast.io.timestamps import format_ds

__all__ = ["backtest_splits", "check_train_length", "read_test", "split_last"]


def split_last(frame: pd.DataFrame, h: int, need: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): each series' last ``h`` points held out (each series must have at
    least ``need + h``)."""
    check_train_length(frame, h, need + h, held_out=True)
    groups = frame.groupby("unique_id", sort=False)
    position = groups.cumcount(ascending=False)
    train = frame[position >= h].reset_index(drop=True)
    test = frame[position < h].reset_index(drop=True)
    return train, test


def backtest_splits(
    frame: pd.DataFrame, horizon: int, windows: int, step: int
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(train, test) per rolling-origin window, oldest first: window ``w`` (0-based) holds
    out the ``horizon`` points that end ``(windows - 1 - w) * step`` points before each
    series' end, and trains on the points before them."""
    position = frame.groupby("unique_id", sort=False).cumcount(ascending=False).to_numpy()
    out = []
    for w in range(windows):
        offset = (windows - 1 - w) * step  # points after the test window
        test_mask = (position >= offset) & (position < offset + horizon)
        train_mask = position >= offset + horizon
        out.append((frame[train_mask].reset_index(drop=True),
                    frame[test_mask].reset_index(drop=True)))
    return out


def check_train_length(frame: pd.DataFrame, h: int, need: int, *, held_out: bool) -> None:
    sizes = frame.groupby("unique_id", sort=False).size()
    short = sizes[sizes < need]
    if short.empty:
        return
    uid, n = str(short.index[0]), int(short.iloc[0])
    more = f" ({len(short)} series are too short)" if len(short) > 1 else ""
    if held_out:
        raise DataError(
            f"series '{uid}' has {n} points: holding out the last {h} leaves {n - h} for "
            f"training and the models need at least {need - h}; use a shorter horizon or "
            f"more data{more}"
        )
    raise DataError(
        f"series '{uid}' has {n} training points and the models need at least {need} with "
        f"horizon {h}; use a shorter horizon or more data{more}"
    )


def read_test(
    test: Any,
    train: pd.DataFrame,
    horizon: int,
    *,
    read: ReadOptions | None = None,
    covariates: list[str] | None = None,
) -> pd.DataFrame:
    """Read a hold-out set and check that it continues the training data exactly: the same
    series, ``horizon`` points each, at the timestamps that follow each training series.
    ``read``: the data's column names (its ``fill`` is not used: test values are never
    filled, a missing actual cannot be scored). ``covariates``: the future-known columns the
    networks forecast with, which the test set must carry."""
    where = f"{test}: " if isinstance(test, (str, os.PathLike)) else "test data: "
    if covariates:
        _check_test_columns(test, covariates, where)
    try:
        frame = (read or ReadOptions()).read(test, fill=None, covariates=covariates)
    except DataError as exc:
        if horizon == 1 and "has 1 point" in str(exc):
            # the reader needs two points per series to check a series' frequency
            raise DataError(
                f"{where}a test set of one point per series cannot be read yet; hold out the "
                "last point of each series instead (horizon 1 without a separate test set)"
            ) from None
        raise
    train_ids = list(dict.fromkeys(train["unique_id"]))
    test_ids = list(dict.fromkeys(frame["unique_id"]))
    if len(train_ids) == 1 and len(test_ids) == 1 and train_ids != test_ids:
        frame = frame.assign(unique_id=train_ids[0])  # one series: the column names may differ
        test_ids = train_ids
    missing = [u for u in train_ids if u not in set(test_ids)]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise DataError(
            f"{where}no test values for series '{missing[0]}'{more}; the test data must "
            f"hold the next {horizon} points of every training series"
        )
    extra = [u for u in test_ids if u not in set(train_ids)]
    if extra:
        raise DataError(
            f"{where}series '{extra[0]}' is in the test data but not in the training data; "
            "use the same unique_id values in both"
        )
    train_groups = {str(u): g for u, g in train.groupby("unique_id", sort=False)}
    sizes = frame.groupby("unique_id", sort=False).size()
    wrong = sizes[sizes != horizon]
    if len(wrong):
        uid, k = str(wrong.index[0]), int(wrong.iloc[0])
        hint = f"use horizon {k} (--horizon {k})" if (sizes == k).all() else (
            f"give exactly {horizon} test points per series")
        raise DataError(
            f"{where}series '{uid}' has {k} test points but the horizon is {horizon}; {hint}"
        )
    for key, g in frame.groupby("unique_id", sort=False):
        tg = train_groups[str(key)]
        freq = series_frequency(tg, str(key))
        expected = future_timestamps(tg["ds"].iloc[-1], freq, horizon)
        got = pd.Index(g["ds"])
        if got.dtype != expected.dtype or not np.array_equal(got.to_numpy(), expected.to_numpy()):
            raise DataError(
                f"{where}test series '{key}' runs {format_ds(got[0])}..{format_ds(got[-1])} "
                f"but its training data ends at {format_ds(tg['ds'].iloc[-1])} (frequency "
                f"{freq}): the test must continue it exactly, "
                f"{format_ds(expected[0])}..{format_ds(expected[-1])}"
            )
    return frame.reset_index(drop=True)


def _check_test_columns(test: Any, covariates: list[str], where: str) -> None:
    """A `DataError` naming the future-known columns a test set lacks."""
    if isinstance(test, (str, os.PathLike)):
        from pathlib import Path

        from rnnforecast.data.reader import _read_csv

        columns = [str(c).strip() for c in _read_csv(Path(test))[0].columns]
    elif isinstance(test, pd.DataFrame):
        columns = [str(c) for c in test.columns]
    else:
        columns = []
    absent = [c for c in covariates if c not in columns]
    if absent:
        names = ", ".join(absent)
        raise DataError(
            f"{where}the future column(s) {names} (future_cols) are missing: the networks "
            f"forecast the hold-out with them; add column(s) {names} with their values at "
            "the test timestamps, or drop them from --future-cols"
        )

