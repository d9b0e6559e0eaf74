"""Data in, validated once: CSV files, DataFrames, Series and arrays -> one long frame.

The canonical frame has columns ``unique_id`` (str), ``ds`` (datetime64 or int64) and ``y``
(float64), sorted by series then time, one row per timestamp, no gaps, no NaN, no inf.
Everything downstream trusts it, so every check lives here and every failure is a
`DataError` that names the file, the line or series, and what to do.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from rnnforecast.data import checks, dates
from rnnforecast.data.csvfile import read_csv_file
from rnnforecast.data.frequency import regular_frequencies
from rnnforecast.data.gaps import FILL_METHODS, FillMethod, complete
from rnnforecast.data.layouts import year_by_month
from rnnforecast.data.numbers import MISSING_CELLS, check_decimal, plain_numbers, strip_signs
from rnnforecast.data.reading import LONG_COLUMNS, DataWarning, Read, defaults, notify, option
from rnnforecast.errors import DataError
from rnnforecast.io.timestamps import format_ds

__all__ = ["FILL_METHODS", "FillMethod", "ReadOptions", "read_series"]

_DATE_HINT = re.compile(r"date|time|month|year|day|week|period|^ds$|^t$|timestamp", re.I)
_INT_RE = dates.INT_RE
_FREQ_WORDS = {"MS": "monthly", "ME": "monthly", "QS": "quarterly", "QE": "quarterly",
               "YS": "yearly", "YE": "yearly", "W": "weekly", "D": "daily", "B": "business-day",
               "h": "hourly", "min": "minutely", "int": ""}


def read_series(
    data: str | os.PathLike[str] | pd.DataFrame | pd.Series | np.ndarray,
    *,
    time_col: str | None = None,
    value_col: str | None = None,
    id_col: str | None = None,
    fill: FillMethod | None = None,
    covariates: Sequence[str] | None = None,
    date_format: str | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Read and validate one or many series into the canonical ``unique_id, ds, y`` frame.

    Accepts a CSV path (any delimiter among , ; tab |; also gzip, bzip2 or a zip holding one
    CSV; UTF-8, UTF-16 or Windows-1252; title lines, a saved index and currency or percent signs
    set aside, see `rnnforecast.data.csvfile`), a long DataFrame (``unique_id, ds, y``), a
    single-series DataFrame with one date-like and one numeric column whatever their names (the
    value column's name becomes the ``unique_id``), a Series with a date or integer index, or a
    1-D array (integer steps, ``unique_id`` "series"). Unsorted rows are sorted. Rows without a
    value before a series' first value or after its last are dropped; other NaN values and
    missing timestamps are errors unless ``fill`` says how to fill them (at most 10% of a
    series' points). ``covariates`` names extra numeric columns to keep after ``y`` (the
    Forecaster's ``past_cols`` and ``future_cols``), checked and filled like ``y``.

    Dates are read as written: day-first or month-first as the data shows (the reading that
    gives regular timestamps), month names, quarters, years, Excel day numbers, a date column
    joined with a column of times of day; ``date_format``
    says it when the data cannot (a strptime format such as ``%d/%m/%Y``, ``DD/MM/YYYY``, or
    ``dayfirst``, ``monthfirst``, ``excel``). ``decimal`` ('.' or ',') is the decimal mark of
    numbers written with separators (found from the data when unambiguous). What was decided
    on the user's behalf is one `ReadNotice` warning; extreme outliers and much shorter series
    are a `DataWarning`.
    """
    if fill is not None and fill not in FILL_METHODS:
        raise DataError(f"unknown fill method '{fill}': use one of {', '.join(FILL_METHODS)}")
    given = defaults()
    date_format = dates.resolve_format(date_format or given.date_format)
    decimal = check_decimal(decimal or given.decimal)
    notes: list[str] = []
    source = ""
    lines: np.ndarray | None = None
    scan, comma_fields = True, False  # look for numbers written with separators
    if isinstance(data, (str, os.PathLike)):
        source = str(data)
        file = read_csv_file(Path(data))
        frame, lines = file.frame, file.lines
        comma_fields = file.delimiter == ","
        scan = not comma_fields or file.quoted or decimal is not None
        notes += file.notes
    elif isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, pd.Series):
        frame = _from_series(data)
    elif isinstance(data, (np.ndarray, list)):
        frame = _from_array(np.asarray(data))
    else:
        raise DataError(
            f"cannot read data of type {type(data).__name__}: "
            "give a CSV path, a DataFrame, a Series or a 1-D array"
        )
    where = f"{source}: " if source else ""
    if len(frame) == 0:
        raise DataError(f"{where}no data rows (the input is empty or has only a header)")
    frame, found = strip_signs(frame)
    notes += found
    if scan or found:
        frame, found = plain_numbers(frame, decimal, comma_fields)
        notes += found
    frame, lines, table = year_by_month(frame, lines)
    notes += [table] if table else []
    read = Read(where, lines, date_format, decimal, notes)
    long = _to_long(frame, time_col, value_col, id_col, read, list(covariates or ()))
    out = _validate(long, fill, read)
    _report(out, read)
    return out


@dataclass(frozen=True)
class ReadOptions:
    """How the user asked for their data to be read: the column names (None: found from the
    data) and the ``fill`` method, passed on as one object from the function that took
    them as keywords down to the `read_series` calls."""

    time_col: str | None = None
    value_col: str | None = None
    id_col: str | None = None
    fill: str | None = None  # read_series refuses an unknown method

    @property
    def read(self) -> Callable[..., pd.DataFrame]:
        """`read_series` with these options, called as ``options.read(data, **extra)``:
        ``extra`` adds other arguments (``covariates=``) or overrides one of these
        (``fill=None`` for a test set). A `functools.partial`, so that no frame of its own
        stands between the reader's warnings and the code that reads (they point there)."""
        return functools.partial(read_series, time_col=self.time_col, value_col=self.value_col,
                                 id_col=self.id_col, fill=cast("FillMethod | None", self.fill))

def _report(frame: pd.DataFrame, read: Read) -> None:
    """The one-line notice of what was decided (if anything was), then the warnings."""
    if read.notes:
        freq = str(frame.attrs.get("freq", ""))
        word = _FREQ_WORDS.get(freq.split("-")[0].split(":")[0].lstrip("0123456789"), "")
        n_series = frame["unique_id"].nunique()
        what = f"read {len(frame)} {word + ' ' if word else ''}points"
        what += f" in {n_series} series" if n_series > 1 else ""
        notify(f"{read.where}{what}, " + "; ".join(read.notes))
    for message in (checks.outliers(frame), checks.short_series(frame)):
        if message:
            notify(f"{read.where}{message}", DataWarning)


# ---------------------------------------------------------------------------- CSV files


def _read_csv(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """A CSV file as a frame of strings and the file line of each row (for other modules
    that only need the columns)."""
    file = read_csv_file(path)
    return file.frame, file.lines


# ------------------------------------------------------------------- other input kinds


def _from_series(series: pd.Series) -> pd.DataFrame:
    name = str(series.name) if series.name is not None else "series"
    index = series.index
    if isinstance(index, pd.DatetimeIndex) or pd.api.types.is_integer_dtype(index.dtype):
        ds = index
    elif isinstance(index, pd.PeriodIndex):
        ds = index.to_timestamp()
    elif pd.api.types.is_string_dtype(index.dtype) or index.dtype == object:
        ds = index  # date (or step) strings: parsed and checked like a CSV column
    else:
        ds = pd.RangeIndex(len(series))
    return pd.DataFrame({"unique_id": name, "ds": np.asarray(ds), "y": series.to_numpy()})


def _from_array(values: np.ndarray) -> pd.DataFrame:
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise DataError(
            f"an array must be 1-D (one series), got shape {values.shape}; "
            "for many series give a long DataFrame with unique_id, ds, y"
        )
    return pd.DataFrame(
        {"unique_id": "series", "ds": np.arange(len(values), dtype=np.int64), "y": values}
    )


# --------------------------------------------------------------- column recognition


def _to_long(
    frame: pd.DataFrame,
    time_col: str | None,
    value_col: str | None,
    id_col: str | None,
    read: Read,
    covariates: list[str] | None = None,
) -> pd.DataFrame:
    where = read.where
    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    covariates = covariates or []
    absent = [c for c in covariates if c not in columns]
    if absent:
        raise DataError(
            f"{where}covariate column(s) {absent} named in past_cols/future_cols are not in the "
            f"data (columns: {columns}); add them or change past_cols/future_cols"
        )
    for name, col in (("time_col", time_col), ("value_col", value_col), ("id_col", id_col)):
        if col is not None and col not in columns:
            raise DataError(f"{where}{name}='{col}' is not a column (columns: {columns})")
    no_names = time_col is None and value_col is None and id_col is None
    if no_names and set(LONG_COLUMNS) <= set(columns):
        id_col, time_col, value_col = LONG_COLUMNS
    if time_col is None:
        time_col = _find_time_column(frame, [c for c in columns if c not in (value_col, id_col)])
        if time_col is None:
            raise DataError(
                f"{where}no date column found (columns: {columns}); "
                "add one, or name it with time_col= / --time-col"
            )
    clock = dates.clock_column(frame, time_col, [
        c for c in columns if c not in (time_col, value_col, id_col, *covariates)])
    if clock is not None:  # a date column and a time-of-day column, as loggers write them
        frame = dates.join_clock(frame, time_col, clock)
        read.notes.append(f"dates and times of day joined from '{time_col}' and '{clock}'")
    if value_col is None:
        value_col = _value_column(frame, time_col, id_col, covariates, where)
    ids = (
        frame[id_col].astype(str).str.strip().to_numpy()
        if id_col is not None
        else np.full(len(frame), value_col, dtype=object)
    )
    line_of = read.lines if read.lines is not None else np.arange(len(frame))
    line_word = "line" if read.lines is not None else "row"
    column = dates.DateColumn(frame[time_col], time_col, where, line_of, line_word)
    ds = _parse_time(column, read)
    y = _parse_values(frame[value_col], value_col, where, line_of, line_word)
    out = pd.DataFrame({"unique_id": ids.astype(str), "ds": ds, "y": y})
    for col in covariates:
        if col in (time_col, value_col, id_col) or col in LONG_COLUMNS:
            raise DataError(f"{where}'{col}' is the time, value or id column: it cannot also be "
                            "a covariate; remove it from past_cols/future_cols")
        out[col] = _parse_values(frame[col], col, where, line_of, line_word)
    return out


def _value_column(frame: pd.DataFrame, time_col: str, id_col: str | None,
                  covariates: list[str], where: str) -> str:
    """The one numeric column left to forecast, or a `DataError` saying how to name it."""
    columns = [str(c) for c in frame.columns]
    candidates = [c for c in columns if c not in (time_col, id_col, *covariates)]
    numeric = [c for c in candidates if _looks_numeric(frame[c])]
    if not numeric and len(candidates) == 1 and _looks_numeric(frame[candidates[0]], 0.5):
        # The only possible value column with a few bad cells: read it, so that the
        # first bad cell is reported by line (in _parse_values).
        numeric = candidates
    if not numeric:
        # Numbers written with thousands separators, a decimal comma, a currency or a
        # unit ("1,234", "12,5", "$40", "12 kg"): read that column, so that the first such
        # cell is reported by line with what to change.
        decorated = [c for c in candidates if _looks_decorated(frame[c])]
        numeric = decorated if len(decorated) == 1 else []
    if not numeric:
        raise DataError(
            f"{where}no numeric value column found (columns: {columns}); "
            "name it with value_col= / --value-col"
        )
    if len(numeric) > 1 and id_col is None:
        uid = _id_like(frame, time_col, numeric)
        if uid is not None:
            raise DataError(
                f"{where}several numeric columns {numeric}, and the dates repeat: '{uid}' "
                f"looks like a series id (one row per date and {uid}); name it with "
                f"{option('id_col', uid)}, and the column to forecast with "
                f"{option('value_col')} if it is not the only other one"
            )
    if len(numeric) > 1:  # with or without an id column: never pick one silently
        raise DataError(
            f"{where}several numeric columns {numeric}: name the one to forecast with "
            "value_col= / --value-col"
        )
    return numeric[0]


def _id_like(frame: pd.DataFrame, time_col: str, numeric: list[str]) -> str | None:
    """A numeric column of whole numbers that tells apart the rows of a repeated date."""
    ds = frame[time_col].astype(str).str.strip()
    if not ds.duplicated().any():
        return None
    for col in numeric:
        text = frame[col].astype(str).str.strip()
        if (text.str.match(_INT_RE).all() and text.nunique() <= len(text) // 2
                and not pd.DataFrame({"ds": ds, "id": text}).duplicated().any()):
            return col
    return None


def _find_time_column(frame: pd.DataFrame, columns: list[str]) -> str | None:
    hinted = [c for c in columns if _DATE_HINT.search(c)]
    for col in hinted + [c for c in columns if c not in hinted]:
        values = frame[col]
        if values.dtype.kind == "M":
            return col
        sample = values.astype(str).str.strip().head(50)
        sample = sample[sample != ""]
        if sample.empty:
            continue
        if sample.str.match(_INT_RE).all():
            if col in hinted:
                return col
            continue
        if _looks_numeric(values):
            if col in hinted and dates.serial_kind(sample, col) is not None:
                return col  # Excel serial days with a time of day
            continue
        # A column named like a date needs only most values to parse, so that a few bad
        # cells are reported by line (in _parse_time) instead of "no date column".
        if dates.looks_like_dates(sample, 0.5 if col in hinted else 0.9):
            return col
    return None


def _looks_numeric(values: pd.Series, share: float = 0.9) -> bool:
    if values.dtype.kind in "iuf":
        return True
    sample = values.astype(str).str.strip()
    sample = sample[~sample.str.lower().isin(MISSING_CELLS)].head(200)
    if sample.empty:
        return False
    return bool(pd.to_numeric(sample, errors="coerce").notna().mean() >= share)


_DECORATED = re.compile(r"^[^\d\sA-Za-z]{0,3}\s*[-+]?\d[\d.,'\s\u00a0_]*(?:\s*[^\d\s]{1,6})?$")


def _looks_decorated(values: pd.Series) -> bool:
    """Most cells are numbers with separators, a currency or a unit around them."""
    if values.dtype.kind != "O" and not pd.api.types.is_string_dtype(values.dtype):
        return False
    sample = values.astype(str).str.strip()
    sample = sample[~sample.str.lower().isin(MISSING_CELLS)].head(200)
    return bool(not sample.empty and sample.str.match(_DECORATED).mean() >= 0.9)


def _parse_time(column: dates.DateColumn, read: Read) -> np.ndarray | pd.DatetimeIndex:
    values, fmt = column.values, read.date_format
    if values.dtype.kind == "M":
        parsed = pd.to_datetime(values)
        bad = parsed.isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(f"{column.where}missing date {column.at(i)}")
        return parsed.to_numpy()  # an object array of Timestamps when time-zone aware
    if fmt is None and values.dtype.kind in "iuf":
        kind = dates.serial_kind(values, column.name)
        if kind is not None:
            return _serials(values, kind, read)
        if values.dtype.kind in "iu":
            return values.to_numpy(dtype=np.int64)
    text = values.astype(str).str.strip()
    if fmt is None and text.str.match(_INT_RE).all():
        kind = dates.serial_kind(text, column.name)
        if kind is not None:
            return _serials(text, kind, read)
        try:
            return text.astype(np.int64).to_numpy()
        except (OverflowError, ValueError):
            raise DataError(
                f"{column.where}time index in column '{column.name}' does not fit a 64-bit "
                "integer; use smaller step numbers or dates"
            ) from None
    found, note = dates.parse_dates(
        dates.DateColumn(text, column.name, column.where, column.lines, column.word), fmt)
    if note is not None:
        read.notes.append(note)
        read.dates_note = note
    return found


def _serials(values: pd.Series, kind: str, read: Read) -> pd.DatetimeIndex:
    parsed, note = dates.from_serials(values, kind)
    read.notes.append(note)
    read.dates_note = note
    return parsed


def _parse_values(
    values: pd.Series, col: str, where: str, lines: np.ndarray, word: str
) -> np.ndarray:
    if values.dtype.kind in "iufb":
        return values.to_numpy(dtype=np.float64)
    text = values.astype(str).str.strip()
    missing = text.str.lower().isin(MISSING_CELLS).to_numpy()
    numbers = pd.to_numeric(text.where(~missing, "nan"), errors="coerce").to_numpy(np.float64)
    bad = np.isnan(numbers) & ~missing
    if bad.any():
        i = int(np.argmax(bad))
        hint = (
            "remove thousands separators and units (write 1234.5, not 1,234.5, 1234,5 or "
            "1234.5 kg)"
            if re.search(r"\d", text.iloc[i])
            else "use plain numbers (leave a cell empty for a missing value)"
        )
        if re.fullmatch(r"[+-]?[\d.]*,[\d.,]*", text.iloc[i]):
            hint += (f", or state the decimal mark with {option('decimal', ',')} (1234,5) or "
                     f"{option('decimal', '.')} (1,234.5)")
        raise DataError(
            f"{where}non-numeric value '{text.iloc[i]}' in column '{col}' at {word} "
            f"{lines[i]}; {hint}"
        )
    # pd.to_numeric's fast parser can be one unit in the last place off (about a third of
    # 17-digit values); Python's float() rounds correctly, so a written float reads back
    # exactly.
    with contextlib.suppress(ValueError, OverflowError):
        numbers[~missing] = np.asarray(text.to_numpy()[~missing], dtype=np.float64)
    return numbers


# ------------------------------------------------------------------------ validation


def _validate(long: pd.DataFrame, fill: FillMethod | None, read: Read) -> pd.DataFrame:
    where = read.where
    values = long.iloc[:, 2:].to_numpy(dtype=np.float64)  # y, then any covariates
    if np.isinf(values).any():
        i, j = (int(v[0]) for v in np.nonzero(np.isinf(values)))
        col = "" if j == 0 else f" of column '{long.columns[2 + j]}'"
        raise DataError(
            f"{where}infinite value{col} in series '{long['unique_id'].iloc[i]}' at "
            f"{format_ds(long['ds'].iloc[i])}; replace it with a finite number or leave it empty"
        )
    long = long.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    dup = long.duplicated(["unique_id", "ds"]).to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise DataError(
            f"{where}duplicated timestamp {format_ds(long['ds'].iloc[i])} in series "
            f"'{long['unique_id'].iloc[i]}'; keep one row per timestamp (aggregate duplicates)"
        )
    long, dropped = checks.drop_empty_edges(long, where)
    if dropped is not None:
        read.notes.append(dropped)
    # Series that are regular, complete and without NaN (found for all series at once, fast
    # on large files) stay as they are; the others are checked and filled one by one.
    ids = long["unique_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    bounds = np.r_[starts, len(long)]
    known = regular_frequencies(long["ds"].to_numpy(), starts)
    nan_rows = np.isnan(long.iloc[:, 2:].to_numpy(dtype=np.float64)).any(axis=1)
    has_nan = np.add.reduceat(nan_rows, starts) > 0
    parts: list[pd.DataFrame] = []
    freqs: list[str] = []
    filled: dict[str, int] = {}
    changed = False
    for i, (a, b) in enumerate(itertools.pairwise(bounds)):
        freq = known[i]
        if freq is not None and not has_nan[i]:
            parts.append(long.iloc[a:b])
            freqs.append(freq)
        else:
            parts.append(complete(long.iloc[a:b], str(ids[a]), fill, read, freq))
            freqs.append(parts[-1].attrs["freq"])
            changed = True
            if parts[-1].attrs["filled"]:
                filled[str(ids[a])] = parts[-1].attrs["filled"]
    out = pd.concat(parts, ignore_index=True) if changed else long
    out.attrs = {"freq": freqs[0]} if len(set(freqs)) == 1 else {}
    if filled:
        n = sum(filled.values())
        which = f"series '{next(iter(filled))}'" if len(filled) == 1 else f"{len(filled)} series"
        read.notes.append(f"filled {n} missing point(s) in {which} ({option('fill', fill)})")
    return out
