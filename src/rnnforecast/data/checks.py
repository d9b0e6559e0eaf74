"""What the reader must not do silently: invent data, or let an obvious typo through.

Rows without a value before a series' first value or after its last (a sheet with next
months' dates typed in) are dropped, never filled: filling them would invent history. A fill
may invent at most 10% of a series' points (and always a few): more gaps than that mean the
dates were misread or the series mixes frequencies, and filling would forecast made-up data.
Extreme outliers (robust z-scores far beyond any plausible season or trend, such as a value
1,000 times too large) and series much shorter than the rest are warned about, with where.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnforecast.errors import DataError
from rnnforecast.io.timestamps import format_ds

__all__ = ["FILL_SHARE", "drop_empty_edges", "flood", "outliers", "short_series"]

FILL_SHARE = 0.10  # the largest share of a series' points a fill may invent
FILL_FREE = 3  # ... except a few points, which any series may have filled
_Z_VALUES = 50.0  # robust z-score of an extreme value ...
_Z_LOGS = 8.0  # ... and of its logarithm, for positive series (trends and seasons pass)
_MAD = 1.4826  # MAD -> standard deviation of a normal distribution
_MAX_SHOWN = 5


def drop_empty_edges(long: pd.DataFrame, where: str) -> tuple[pd.DataFrame, str | None]:
    """``long`` (sorted by series and time) without the rows before each series' first value
    and after its last; the note says how many were dropped, where."""
    nan = pd.Series(np.isnan(long["y"].to_numpy(dtype=np.float64)))
    if not nan.any():
        return long, None
    ids = long["unique_id"]
    valid = ~nan
    seen = valid.groupby(ids.to_numpy(), sort=False).cummax()
    ahead = valid[::-1].groupby(ids.to_numpy()[::-1], sort=False).cummax()[::-1]
    keep = (seen & ahead).to_numpy()
    if keep.all():
        return long, None
    empty = ~valid.groupby(ids.to_numpy(), sort=False).any()
    if empty.any():
        raise DataError(f"{where}series '{empty.index[empty.to_numpy()][0]}' has no values "
                        "(every row's value is empty); give it values or remove its rows")
    dropped = long.loc[~keep]
    series = dropped["unique_id"].unique()
    if len(series) == 1:
        span = f"{format_ds(dropped['ds'].iloc[0])}..{format_ds(dropped['ds'].iloc[-1])}"
        ends = "end" if seen[~keep].all() else "start" if ahead[~keep].all() else "start and end"
        note = (f"dropped {len(dropped)} row(s) without a value at the {ends} of series "
                f"'{series[0]}' ({span})")
    else:
        note = (f"dropped {len(dropped)} rows without a value at the start or end of "
                f"{len(series)} series")
    return long.loc[keep].reset_index(drop=True), note


def flood(invented: int, points: int) -> bool:
    """Whether filling ``invented`` of a series' ``points`` would invent too much."""
    return invented > max(FILL_FREE, FILL_SHARE * points)


def outliers(frame: pd.DataFrame) -> str | None:
    """A warning naming the extreme values of ``frame`` (canonical) with their dates."""
    y = frame["y"].to_numpy(dtype=np.float64)
    if len(y) < 8:
        return None
    codes = pd.factorize(frame["unique_id"])[0]
    extreme = _robust_z(y, codes) > _Z_VALUES
    if not extreme.any():
        return None
    positive = pd.Series(y > 0).groupby(codes).transform("all").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(positive, np.log(np.where(y > 0, y, 1.0)), 0.0)
    extreme &= ~positive | (_robust_z(logs, codes) > _Z_LOGS)
    counts = pd.Series(extreme).groupby(codes).transform("sum").to_numpy()
    sizes = pd.Series(codes).groupby(codes).transform("size").to_numpy()
    extreme &= counts <= np.maximum(1, 0.02 * sizes)  # a few points, not a heavy tail
    rows = np.flatnonzero(extreme)
    if len(rows) == 0:
        return None
    shown = ", ".join(f"'{frame['unique_id'].iloc[i]}' at {format_ds(frame['ds'].iloc[i])} "
                      f"({y[i]:.6g})" for i in rows[:_MAX_SHOWN])
    more = f" and {len(rows) - _MAX_SHOWN} more" if len(rows) > _MAX_SHOWN else ""
    return (f"{len(rows)} extreme value(s), far outside the rest of their series: {shown}"
            f"{more}; check them for typos (a misplaced decimal point, other units): one such "
            "value can move the whole forecast")


def _robust_z(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """|x - median| / (1.4826 MAD) within each series (mean absolute deviation where the MAD
    is 0; 0 for a constant series)."""
    s = pd.Series(values)
    dev = (s - s.groupby(codes).transform("median")).abs()
    scale = dev.groupby(codes).transform("median") * _MAD
    scale = scale.where(scale > 0, dev.groupby(codes).transform("mean") * 1.2533)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, dev / scale.where(scale > 0, 1.0), 0.0)
    return np.asarray(z, dtype=np.float64)


def short_series(frame: pd.DataFrame) -> str | None:
    """A warning naming the series much shorter than the typical one of ``frame``."""
    sizes = frame.groupby("unique_id", sort=False).size()
    if len(sizes) < 3:
        return None
    typical = float(sizes.median())
    short = sizes[sizes < typical / 4]
    if typical < 20 or short.empty:
        return None
    shown = ", ".join(f"'{uid}' ({n})" for uid, n in short.head(_MAX_SHOWN).items())
    more = f" and {len(short) - _MAX_SHOWN} more" if len(short) > _MAX_SHOWN else ""
    return (f"{len(short)} of {len(sizes)} series are much shorter than the typical "
            f"{typical:.0f} points: {shown}{more}; check that their rows are all there "
            "(they are forecast from little history)")
