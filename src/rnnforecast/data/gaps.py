"""Completing one series: its gaps and missing values, filled when asked, refused when a
fill would invent the series rather than mend it (`rnnforecast.data.checks`)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from rnnforecast.data import checks
from rnnforecast.data.frequency import expected_timestamps, infer_frequency
from rnnforecast.data.reading import LONG_COLUMNS, Read, option
from rnnforecast.errors import DataError
from rnnforecast.io.timestamps import format_ds

__all__ = ["FILL_METHODS", "FillMethod", "complete"]

FillMethod = Literal["interpolate", "ffill", "zero"]
FILL_METHODS = ("interpolate", "ffill", "zero")


def complete(
    group: pd.DataFrame, uid: str, fill: FillMethod | None, read: Read,
    freq: str | None = None,
) -> pd.DataFrame:
    """Check one sorted series for gaps and missing values; fill them when asked and when
    they are few enough that filling does not invent the series."""
    where = read.where
    if len(group) < 2:
        raise DataError(
            f"{where}series '{uid}' has {len(group)} point; a series needs at least "
            "horizon + 2 points"
        )
    if freq is None:
        try:
            freq = infer_frequency(group["ds"], uid)
        except DataError as exc:
            raise DataError(f"{where}{exc}") from None
    full = expected_timestamps(group["ds"].iloc[0], group["ds"].iloc[-1], freq)
    ds = pd.Index(group["ds"])
    missing = full.difference(ds) if len(full) != len(ds) else full[:0]
    n_nan = int(np.isnan(group["y"].to_numpy(dtype=np.float64)).sum())
    invented = len(missing) + n_nan
    if checks.flood(invented, len(full)):
        raise _flood(read, uid, group, missing, invented, len(full), freq, fill)
    if len(missing):
        if fill is None:
            raise DataError(
                f"{where}series '{uid}' misses {len(missing)} timestamp(s) at frequency "
                f"'{freq}', first {format_ds(missing[0])}; add the rows, or fill the gaps with "
                "fill='interpolate'|'ffill'|'zero' (--fill)"
            )
        group = group.set_index("ds").reindex(full).rename_axis("ds").reset_index()
        group["unique_id"] = uid
    covariates = [c for c in group.columns if c not in LONG_COLUMNS]
    filled = {c: _fill_covariate(group, c, uid, fill, where) for c in covariates}
    y = group["y"].to_numpy(dtype=np.float64)
    nan = np.isnan(y)
    if nan.any():
        if fill is None:
            i = int(np.argmax(nan))
            raise DataError(
                f"{where}missing value in series '{uid}' at {format_ds(group['ds'].iloc[i])} "
                f"({int(nan.sum())} in all); fill them with fill='interpolate'|'ffill'|'zero' "
                "(--fill) or remove the rows"
            )
        y = _fill(y, fill)
    out = pd.DataFrame({"unique_id": uid, "ds": group["ds"].to_numpy(), "y": y, **filled})
    out.attrs["freq"] = freq
    out.attrs["filled"] = invented if fill is not None else 0
    return out


def _flood(read: Read, uid: str, group: pd.DataFrame, missing: pd.Index, invented: int,
           points: int, freq: str, fill: FillMethod | None) -> DataError:
    """The error for more gaps than a fill may fill, with their likely cause."""
    share = f"{invented:,} of its {points:,} points ({invented / points:.0%})"
    if len(missing):
        gaps = (f"misses {len(missing):,} timestamp(s) at frequency '{freq}', first "
                f"{format_ds(missing[0])}")
        fmt = option("date_format", "%d/%m/%Y")
        cause = (f"the dates were probably misread ({read.dates_note}): state their format, "
                 f"e.g. {fmt}; or the series mixes frequencies (monthly rows, then daily)"
                 if read.dates_note else
                 f"check the dates against {option('date_format', read.date_format)}, or "
                 "whether the series mixes frequencies" if read.date_format else
                 "the series probably mixes frequencies (monthly rows, then daily rows) or "
                 f"its dates are misread (state their format, e.g. {fmt}): give each series "
                 "one frequency")
    else:
        nan = np.isnan(group["y"].to_numpy(dtype=np.float64))
        first = format_ds(group["ds"].iloc[int(np.argmax(nan))])
        gaps = f"has {invented:,} missing values, first at {first}"
        cause = "complete the values or remove the rows"
    head = (f"{read.where}series '{uid}' {gaps}; {option('fill', fill)} would invent {share}, "
            f"more than the {checks.FILL_SHARE:.0%} a fill may invent" if fill is not None
            else f"{read.where}series '{uid}' {gaps}: {share} are missing, too many to fill")
    return DataError(f"{head}; {cause}")


def _fill_covariate(group: pd.DataFrame, col: str, uid: str, fill: FillMethod | None,
                    where: str) -> np.ndarray:
    values = group[col].to_numpy(dtype=np.float64)
    nan = np.isnan(values)
    if not nan.any():
        return values
    if fill is None:
        i = int(np.argmax(nan))
        raise DataError(
            f"{where}missing value of covariate '{col}' in series '{uid}' at "
            f"{format_ds(group['ds'].iloc[i])} ({int(nan.sum())} in all); fill them with "
            "fill='interpolate'|'ffill'|'zero' (--fill) or complete the column"
        )
    return _fill(values, fill)


def _fill(y: np.ndarray, method: FillMethod) -> np.ndarray:
    s = pd.Series(y)
    if method == "zero":
        return s.fillna(0.0).to_numpy()
    if method == "ffill":
        return s.ffill().bfill().to_numpy()
    return s.interpolate(limit_direction="both").to_numpy()

