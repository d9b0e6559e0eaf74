"""Dates as users write them, read as they meant them.

ISO dates and anything pandas recognises from the first value; day-first and month-first
numeric dates (``01/02/2016``), where the reading that gives regular timestamps wins and a
file that reads regularly both ways is an error naming ``date_format=``; month names
(``Jan-2016``, ``January 2016``), quarters (``2016Q1``, ``Q1 2016``), ISO weeks
(``2016-W05``), plain years, Excel serial day numbers, ``YYYYMMDD`` and ``YYYYMM`` numbers
and Unix times (in columns named like a year, a date or a time, where a number is not a step
index); a date column beside a column of times of day, joined; UTC offsets that change
(daylight saving) converted to UTC. Distinct strings are parsed once, so a million rows cost
what their few thousand dates cost.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnnforecast.data.frequency import expected_timestamps, infer_frequency
from rnnforecast.data.numbers import MISSING_CELLS
from rnnforecast.data.reading import option
from rnnforecast.errors import ConfigError, DataError

__all__ = ["DateColumn", "clock_column", "join_clock", "looks_like_dates", "parse_dates",
           "resolve_format"]

INT_RE = re.compile(r"^[+-]?\d+$")
YEAR_NAME = re.compile(r"year|yr|date|period|jahr|ann[eé]e|anno|a[nñ]o", re.I)
SERIAL_NAME = re.compile(r"date|day|time", re.I)
MONTH_NAME = re.compile(r"month|monat|mois|mes", re.I)
EPOCH_NAME = re.compile(r"time|stamp|epoch|unix", re.I)
#: Unix times (seconds or milliseconds since 1970, UTC) from 2001-09-09 to 2096-10-02
_EPOCH_RANGES = {"epoch-s": (1e9, 4e9), "epoch-ms": (1e12, 4e12)}
_EXCEL_RANGE = (20_000, 80_000)  # 1954-10-03 .. 2119-01-10 as Excel serial days
_YEAR_RANGE = (1600, 2500)
_QUARTER = (re.compile(r"^(?P<y>\d{4})\s*[-/ ]?\s*[Qq](?P<q>[1-4])$"),
            re.compile(r"^[Qq](?P<q>[1-4])\s*[-/ ]?\s*(?P<y>\d{4})$"))
_WEEK = re.compile(r"^(?P<y>\d{4})-?W(?P<w>\d{2})$")
_MONTH_YEAR = (re.compile(r"^(?P<m>[A-Za-z]{3,9})\.?[-/ ,.']*(?P<y>\d{4}|\d{2})$"),
               re.compile(r"^(?P<y>\d{4})[-/ .]*(?P<m>[A-Za-z]{3,9})\.?$"))


def _any(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    """One pattern matching any of ``patterns`` (their group names dropped)."""
    return re.compile("|".join(re.sub(r"\?P<\w+>", "", p.pattern) for p in patterns))


_FIRST = {"quarter": _any(_QUARTER), "week": _WEEK, "month": _any(_MONTH_YEAR)}
MONTH_NUMBERS = {name: i + 1 for i, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"])
    for name in names.split()}
_MISSING = MISSING_CELLS | {"nat"}  # pandas writes a missing date as NaT
_KEYWORDS = {"dayfirst": "day-first", "day-first": "day-first", "monthfirst": "month-first",
             "month-first": "month-first", "excel": "excel"}
_TOKENS = [("yyyy", "%Y"), ("YYYY", "%Y"), ("MMMM", "%B"), ("MMM", "%b"), ("yy", "%y"),
           ("YY", "%y"), ("MM", "%m"), ("dd", "%d"), ("DD", "%d"), ("HH", "%H"), ("hh", "%H"),
           ("mm", "%M"), ("ss", "%S"), ("SS", "%S")]


@dataclass
class DateColumn:
    """A date column to parse and where it came from, for messages."""

    values: pd.Series
    name: str
    where: str
    lines: np.ndarray
    word: str  # "line" (a file) or "row" (a frame)

    def at(self, i: int) -> str:
        return f"in column '{self.name}' at {self.word} {self.lines[i]}"


_CLOCK = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?$")


def clock_column(frame: pd.DataFrame, time_col: str, others: list[str]) -> str | None:
    """A column of times of day (``13:30``, ``1:30 PM``) beside a date column without them."""
    dates_only = frame[time_col].head(200).astype(str).str.strip()
    if frame[time_col].dtype.kind == "M" or dates_only.str.contains(":", regex=False).any():
        return None
    for col in others:
        sample = frame[col].head(200).astype(str).str.strip()
        if not sample.empty and sample.str.match(_CLOCK).all():
            return col
    return None


def _clock_24h(values: pd.Series) -> pd.Series:
    """Times of day on the 24-hour clock (``1:30 PM`` -> ``13:30:00``), which every date
    format reads."""
    text = values.astype(str).str.strip()
    if not text.str.contains(r"[AaPp]\.?[Mm]").any():
        return text
    clock = text.str.match(_CLOCK)  # any other cell stays as written: the date reader
    twelve = text[clock].str.replace(".", "", regex=False).str.upper()  # names its line
    parsed = pd.to_datetime(twelve, format="mixed", errors="coerce")
    out = text.copy()
    out[clock] = parsed.dt.strftime("%H:%M:%S").where(parsed.notna(), text[clock])
    return out


def join_clock(frame: pd.DataFrame, date_col: str, clock: str) -> pd.DataFrame:
    """``frame`` with ``date_col`` holding date and time of day, and ``clock`` dropped."""
    joined = frame[date_col].astype(str).str.strip() + " " + _clock_24h(frame[clock])
    return frame.drop(columns=[clock]).assign(**{date_col: joined})


def resolve_format(date_format: str | None) -> str | None:
    """A ``date_format`` as a strptime format or one of our keywords (dayfirst, monthfirst,
    excel); ``DD/MM/YYYY`` style patterns are translated. A `ConfigError` if it is neither."""
    if date_format is None:
        return None
    given = date_format.strip()
    if given.lower() in _KEYWORDS:
        return _KEYWORDS[given.lower()]
    if "%" in given:
        return given
    fmt = given
    for token, code in _TOKENS:
        fmt = fmt.replace(token, code)
    if re.search(r"[A-Za-z]", re.sub(r"%[A-Za-z]", "", fmt)) or "%" not in fmt:
        raise ConfigError(
            f"{option('date_format', date_format)} is invalid: use a format such as "
            "%d/%m/%Y (or DD/MM/YYYY), or dayfirst, monthfirst or excel"
        )
    return fmt


def looks_like_dates(sample: pd.Series, share: float) -> bool:
    """Whether at least ``share`` of the (non-empty, string) cells read as dates."""
    u = sample.to_numpy(dtype=object)
    for parse in (_quarters, _weeks, _month_names):
        if float(np.mean(parse(u).notna())) >= share:
            return True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed", utc=True)
    return bool(parsed.notna().mean() >= share)


def serial_kind(values: pd.Series, name: str) -> str | None:
    """"year", "excel", "compact", "epoch-s", "epoch-ms" or "yearmonth" when a numeric
    column named like a date holds years, Excel serial day numbers, YYYYMMDD dates, Unix
    times in seconds or milliseconds (a column named like a time or timestamp) or YYYYMM
    months; None for a step index."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():
        return None
    lo, hi = float(numbers.min()), float(numbers.max())
    whole = bool((numbers == numbers.round()).all())
    if whole and YEAR_NAME.search(name) and _YEAR_RANGE[0] <= lo and hi <= _YEAR_RANGE[1]:
        return "year"
    named = YEAR_NAME.search(name) or SERIAL_NAME.search(name)
    if named and _EXCEL_RANGE[0] <= lo and hi <= _EXCEL_RANGE[1]:
        return "excel"
    if named and whole and lo >= 1e7 and hi < 1e8 and not _compact(numbers).isna().any():
        return "compact"
    if (named or EPOCH_NAME.search(name)) and whole and lo > 0:
        for unit, (low, high) in _EPOCH_RANGES.items():
            if low <= lo and hi <= high:
                return unit
    named = named or MONTH_NAME.search(name)
    if (named and whole and _YEAR_RANGE[0] * 100 < lo and hi < _YEAR_RANGE[1] * 100
            and (numbers % 100).between(1, 12).all()):
        return "yearmonth"
    return None


def _compact(numbers: pd.Series) -> pd.Series:
    """Whole numbers written YYYYMMDD (20160131) as timestamps (NaT where not a date)."""
    text = numbers.astype(np.int64).astype(str)
    return pd.to_datetime(text, format="%Y%m%d", errors="coerce")


def from_serials(values: pd.Series, kind: str) -> tuple[pd.DatetimeIndex, str]:
    """Years or Excel serial days (1900 date system, as every Excel since 1900-03-01 counts)
    as timestamps, and the note saying so."""
    if kind == "compact":
        out = pd.DatetimeIndex(_compact(pd.to_numeric(values)))
        return out, f"numbers read as YYYYMMDD dates ({values.iloc[0]} = {_show(out[0])})"
    if kind in _EPOCH_RANGES:
        in_seconds = kind == "epoch-s"
        counts = pd.to_numeric(values).to_numpy(dtype=np.int64)
        out = pd.DatetimeIndex(pd.to_datetime(counts, unit="s" if in_seconds else "ms"))
        word = "seconds" if in_seconds else "milliseconds"
        return out, (f"Unix times ({word} since 1970) read as UTC dates ({values.iloc[0]} = "
                     f"{_show(out[0])})")
    if kind == "yearmonth":
        months = pd.to_numeric(values).astype(np.int64)
        out = _from_parts(months // 100, months % 100)
        return out, f"numbers read as YYYYMM months ({values.iloc[0]} = {_show(out[0])})"
    numbers = pd.to_numeric(values, errors="raise").to_numpy(dtype=np.float64)
    if kind == "year":
        out = pd.to_datetime(pd.Series(numbers.astype(np.int64)).astype(str), format="%Y")
        return pd.DatetimeIndex(out), f"years read as dates ({int(numbers[0])} = " \
                                      f"{_show(out.iloc[0])})"
    seconds = np.round(numbers * 86_400).astype(np.int64)
    out = pd.Timestamp("1899-12-30") + pd.to_timedelta(seconds, unit="s")
    first = values.iloc[0]
    return pd.DatetimeIndex(out), f"Excel day numbers read as dates ({first} = {_show(out[0])})"


def parse_dates(column: DateColumn, date_format: str | None
                ) -> tuple[pd.DatetimeIndex, str | None]:
    """Parse a column of date strings; the note says what was decided on the user's behalf
    (None when nothing was). A `DataError` names the first cell that cannot be read."""
    text = column.values.astype(str).str.strip()
    codes, uniq = pd.factorize(text)
    u = np.asarray(uniq, dtype=object)
    missing = pd.Series(u, dtype=object).str.lower().isin(_MISSING).to_numpy()
    if missing.any():
        i = int(np.argmax(missing[codes]))
        raise DataError(f"{column.where}missing date {column.at(i)}; fill in the date or "
                        "remove the row")
    if date_format is not None and date_format not in ("day-first", "month-first"):
        parsed, note = _with_format(u, date_format, column, text, codes)
        return parsed.take(codes), note
    candidates = _candidates(u, date_format)
    if not candidates:
        raise DataError(
            f"{column.where}cannot read '{text.iloc[0]}' {column.at(0)} as a date; use ISO "
            "dates like 2024-01-31 or 2024-01, or state the format with "
            f"{option('date_format', '%d/%m/%Y')}"
        )
    complete = [c for c in candidates if not c[1].isna().any()]
    if not complete:
        bad = candidates[0][1].isna()[codes]
        i = int(np.argmax(bad))
        raise DataError(
            f"{column.where}cannot read '{text.iloc[i]}' {column.at(i)} as a date in the "
            f"format of the first row ('{text.iloc[0]}'); use one date format"
        )
    _, parsed, note = complete[0] if len(complete) == 1 else _regular(complete, column, u)
    return parsed.take(codes), note


def _with_format(u: np.ndarray, fmt: str, column: DateColumn, text: pd.Series,
                 codes: np.ndarray) -> tuple[pd.DatetimeIndex, str | None]:
    if fmt == "excel":
        if pd.to_numeric(pd.Series(u), errors="coerce").isna().any():
            bad = pd.to_numeric(text, errors="coerce").isna().to_numpy()
            i = int(np.argmax(bad))
            raise DataError(f"{column.where}cannot read '{text.iloc[i]}' {column.at(i)} as an "
                            f"Excel day number ({option('date_format', 'excel')})")
        return from_serials(pd.Series(u), "excel")
    parsed, changed = _strptime(u, fmt)
    if parsed.isna().any():
        i = int(np.argmax(parsed.isna()[codes]))
        raise DataError(f"{column.where}cannot read '{text.iloc[i]}' {column.at(i)} as a date "
                        f"with {option('date_format', fmt)}; fix the cell or the format")
    return parsed, changed


def _strptime(u: np.ndarray, fmt: str) -> tuple[pd.DatetimeIndex, str | None]:
    """Parse with a strptime format; several UTC offsets are converted to UTC."""
    s = pd.Series(u, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", FutureWarning)  # pandas 2: mixed offsets
        try:
            parsed = pd.to_datetime(s, format=fmt, errors="coerce")
            if parsed.dtype.kind == "M":
                return pd.DatetimeIndex(parsed), None
        except (ValueError, TypeError, OverflowError, FutureWarning):  # mixed offsets
            pass
        warnings.simplefilter("ignore", FutureWarning)
        try:
            parsed = pd.to_datetime(s, format=fmt, errors="coerce", utc=True)
        except (ValueError, TypeError, OverflowError):
            return pd.DatetimeIndex([pd.NaT] * len(u)), None
    return pd.DatetimeIndex(parsed), "times with changing UTC offsets converted to UTC"


def _candidates(u: np.ndarray, order: str | None
                ) -> list[tuple[str, pd.DatetimeIndex, str | None]]:
    """Every reading of the first value's kind: one, or day-first and month-first."""
    first = str(u[0])
    for label, parse in (("quarter", _quarters), ("week", _weeks), ("month", _month_names)):
        if not _FIRST[label].match(first):
            continue
        parsed = parse(u)
        if not pd.isna(parsed[0]):
            note = (f"quarters read as their first day ({first} = {_show(parsed[0])})"
                    if label == "quarter" else
                    f"weeks read as their Monday ({first} = {_show(parsed[0])})"
                    if label == "week" else None)
            return [(label, parsed, note)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        month_first = pd.tseries.api.guess_datetime_format(first)
        day_first = pd.tseries.api.guess_datetime_format(first, dayfirst=True)
    fmt = month_first or day_first
    if fmt is None:
        return []
    if fmt.startswith(("%Y", "%y")) or "%d" not in fmt or "%m" not in fmt:
        parsed, note = _strptime(u, fmt)
        return [("format", parsed, note)]
    if fmt.index("%d") < fmt.index("%m"):  # guessed day-first: the other reading swaps them
        fmt = _swap(fmt)
    out: list[tuple[str, pd.DatetimeIndex, str | None]] = []
    for label, f in (("day-first", _swap(fmt)), ("month-first", fmt)):
        if order in (None, label):
            parsed, note = _strptime(u, f)
            example = _example(u, parsed)
            said = f"dates read {label} ({example})"
            out.append((label, parsed, said if note is None else f"{said}; {note}"))
    # the reading that parses the first value first, so that its errors are reported
    out.sort(key=lambda c: bool(pd.isna(c[1][0])))
    return out


def _swap(fmt: str) -> str:
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def _example(u: np.ndarray, parsed: pd.DatetimeIndex) -> str:
    """A value whose reading shows the order (day and month both <= 12 and different)."""
    ok = parsed.notna()
    telling = ok & (parsed.day <= 12) & (parsed.day != parsed.month)
    i = int(np.argmax(telling)) if telling.any() else int(np.argmax(ok)) if ok.any() else 0
    return f"{u[i]} = {_show(parsed[i])}" if ok.any() else str(u[0])


def _show(ts: object) -> str:
    t = pd.Timestamp(ts)  # type: ignore[arg-type]
    return f"{t.day} {t:%B %Y}" if t == t.normalize() else str(t)


def _regular(candidates: list[tuple[str, pd.DatetimeIndex, str | None]], column: DateColumn,
             u: np.ndarray) -> tuple[str, pd.DatetimeIndex, str | None]:
    """Of two complete readings, the one whose dates are regular; both: an error."""
    gaps = [_gap_share(parsed) for _, parsed, _ in candidates]
    if gaps[0] != gaps[1]:
        return candidates[int(np.argmin(gaps))]
    day, month = (next(c for c in candidates if c[0] == k) for k in ("day-first",
                                                                      "month-first"))
    fmt = _swap(_format_hint(u))
    raise DataError(
        f"{column.where}the dates in column '{column.name}' read as well day-first "
        f"({_example(u, day[1])}) as month-first ({_example(u, month[1])}); state their "
        f"format with {option('date_format', fmt)} (day-first) or "
        f"{option('date_format', _swap(fmt))} (month-first)"
    )


def _format_hint(u: np.ndarray) -> str:
    """The month-first format of the first value (for messages)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fmt = pd.tseries.api.guess_datetime_format(str(u[0])) or "%m/%d/%Y"
    return fmt if fmt.index("%m") < fmt.index("%d") else _swap(fmt)


def _gap_share(parsed: pd.DatetimeIndex) -> float:
    """The share of the timestamps' span that is missing at their frequency (inf when they
    have none): 0 for a regular, complete calendar."""
    idx = parsed.unique().sort_values()
    if len(idx) < 2:
        return 0.0
    try:
        freq = infer_frequency(idx)
        full = expected_timestamps(idx[0], idx[-1], freq)
    except (DataError, ValueError):
        return float("inf")
    return (len(full) - len(idx)) / len(full)


# ------------------------------------------------------------------- special forms


def _from_parts(year: pd.Series, month: pd.Series, day: int = 1) -> pd.DatetimeIndex:
    text = year.astype("string") + "-" + month.astype("Int64").astype("string") + f"-{day}"
    return pd.DatetimeIndex(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))


def _match(u: np.ndarray, patterns: tuple[re.Pattern[str], ...]) -> pd.DataFrame:
    s = pd.Series(u, dtype=object).astype(str)
    parts = [s.str.extract(p) for p in patterns]
    out = parts[0]
    for other in parts[1:]:
        out = out.fillna(other[out.columns])
    return out


def _quarters(u: np.ndarray) -> pd.DatetimeIndex:
    m = _match(u, _QUARTER)
    return _from_parts(m["y"], (pd.to_numeric(m["q"]) - 1) * 3 + 1)


def _weeks(u: np.ndarray) -> pd.DatetimeIndex:
    m = pd.Series(u, dtype=object).astype(str).str.extract(_WEEK)
    text = m["y"] + "-W" + m["w"] + "-1"
    return pd.DatetimeIndex(pd.to_datetime(text, format="%G-W%V-%u", errors="coerce"))


def _month_names(u: np.ndarray) -> pd.DatetimeIndex:
    m = _match(u, _MONTH_YEAR)
    month = m["m"].str.lower().map(MONTH_NUMBERS)
    year = pd.to_numeric(m["y"])
    year = year.where(m["y"].str.len() == 4, year + np.where(year < 69, 2000, 1900))
    return _from_parts(year.astype("Int64"), month)
