"""Frequencies: infer them from timestamps, derive season lengths, continue the calendar.

A series' time axis is either dates (``datetime64``) or an integer step index (as in the M4
files). Integer indexes have frequency ``"int:<step>"``; dated series carry a pandas offset
alias ("MS", "QS-JAN", "D", "h", ...).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from rnnforecast.errors import DataError

INT_PREFIX = "int:"

# Season length by offset base name; the first matching prefix wins (order matters: "MS"
# and "min" both start with "M"/"m" once case is ignored, so names are matched exactly).
_SEASON_BY_BASE = {
    "MS": 12, "ME": 12, "M": 12, "BMS": 12, "BME": 12, "SMS": 24, "SME": 24,
    "QS": 4, "QE": 4, "Q": 4, "BQS": 4, "BQE": 4,
    "YS": 1, "YE": 1, "Y": 1, "A": 1, "AS": 1, "BYS": 1, "BYE": 1,
    "W": 52, "D": 7, "B": 5, "C": 5, "h": 24, "H": 24, "bh": 8,
    "min": 60, "T": 60, "s": 60, "S": 60,
}


def is_integer_freq(freq: str) -> bool:
    return freq.startswith(INT_PREFIX)


def infer_frequency(ds: pd.Series | pd.Index | np.ndarray, series: str = "") -> str:
    """The regular frequency of sorted, unique timestamps (missing steps allowed).

    Missing timestamps do not prevent inference (the most common spacing wins), so that the
    caller can report exactly which timestamps are missing. Raises `DataError` when no
    regular frequency explains the timestamps.
    """
    where = f" in series '{series}'" if series else ""
    values = pd.Index(ds)
    if len(values) < 2:
        raise DataError(
            f"cannot infer a frequency from {len(values)} timestamp(s){where}: "
            "a series needs at least two points"
        )
    if pd.api.types.is_integer_dtype(values.dtype):
        steps = np.diff(values.to_numpy())
        step = int(Counter(steps.tolist()).most_common(1)[0][0])
        step = int(np.gcd.reduce(steps)) if np.any(steps % step) else step
        return f"{INT_PREFIX}{step}"
    idx = pd.DatetimeIndex(values)
    if len(idx) >= 3:
        freq = _infer_freq(idx)
        if freq is not None:
            return str(freq)
        if _business_days(idx):
            return "B"
        # Missing steps: vote over runs of three consecutive points.
        votes: Counter[str] = Counter()
        for i in range(len(idx) - 2):
            f = _infer_freq(idx[i : i + 3])
            if f is not None:
                votes[f] += 1
        for candidate, _ in votes.most_common(3):
            full = pd.date_range(idx[0], idx[-1], freq=candidate)
            if idx.isin(full).all():
                return str(candidate)
    else:
        delta = idx[1] - idx[0]
        if idx[0].day == idx[1].day and delta.days >= 28:
            months = (idx[1].year - idx[0].year) * 12 + idx[1].month - idx[0].month
            if idx[0].day == 1:
                # the aliases pd.infer_freq gives for three or more such points
                month = idx[0].strftime("%b").upper()
                return {1: "MS", 3: f"QS-{month}", 12: f"YS-{month}"}.get(months, f"{months}MS")
            return f"{months}ME" if idx[0].is_month_end else f"{months}MS"
        if delta == pd.Timedelta(days=1):
            return "D"  # not "24h", as pd.infer_freq says for three or more days
        if delta == pd.Timedelta(days=7):
            return f"W-{idx[0].strftime('%a').upper()}"
        off = to_offset(pd.Timedelta(delta))
        if off is not None:
            return str(off.freqstr)
    raise DataError(
        f"cannot infer a regular frequency from the timestamps{where} "
        f"(first ones: {', '.join(str(t.date()) for t in idx[:4])}); "
        "use regularly spaced timestamps"
    )


_NS_PER_DAY = 86_400 * 10**9


def _business_days(idx: pd.DatetimeIndex) -> bool:
    """Dates on weekdays only, over two weeks or more, with gaps (market holidays): business
    days, not daily data that misses every weekend."""
    if (idx[-1] - idx[0]).days < 14 or not (idx == idx.normalize()).all():
        return False
    return bool((idx.dayofweek < 5).all())


def regular_frequencies(ds: np.ndarray, starts: np.ndarray) -> list[str | None]:
    """For many sorted series at once, the frequency of each series that is provably regular
    and complete (else None: ask `infer_frequency` and check for gaps one series at a time).

    ``ds`` holds the series one after another (each sorted, unique), ``starts`` the index
    where each begins. Vectorised for large files: a series is regular when its integer
    steps, its fixed time steps (under four weeks) or its steps in calendar months (1, 3 or
    12, on the first or the last day of the month) are all equal. The alias is the one
    `infer_frequency` gives: it is asked once for each kind of series (same step, anchor and
    weekday) and the answer is reused.
    """
    n = len(starts)
    out: list[str | None] = [None] * n
    if n == 0 or len(ds) < 2:
        return out
    bounds = np.r_[starts, len(ds)]
    lengths = np.diff(bounds)
    if ds.dtype.kind in "iu":
        values = ds.astype(np.int64)
        step_min, step_max = _step_range(np.diff(values), bounds)
        for i in np.flatnonzero((lengths >= 2) & (step_min == step_max) & (step_min > 0)):
            out[i] = f"{INT_PREFIX}{int(step_min[i])}"
        return out
    if ds.dtype != np.dtype("datetime64[ns]"):  # time zones (object arrays), other units
        return out
    ns = ds.view(np.int64)
    days = ds.astype("datetime64[D]")
    months = ds.astype("datetime64[M]")
    midnight = (ns - days.astype("datetime64[ns]").view(np.int64)) == 0
    first_day = days == months.astype("datetime64[D]")
    last_day = days + 1 == (months + 1).astype("datetime64[D]")
    month_index = months.view(np.int64)
    step_min, step_max = _step_range(np.diff(ns), bounds)
    month_min, month_max = _step_range(np.diff(month_index), bounds)
    all_midnight, all_first, all_last = (np.minimum.reduceat(a.astype(np.int8), starts) == 1
                                         for a in (midnight, first_day, last_day))
    weekday = (days.view(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
    long_enough = lengths >= 3
    fixed = long_enough & (step_min == step_max) & (step_min > 0) & (step_min < 28 * _NS_PER_DAY)
    monthly = (long_enough & (month_min == month_max) & np.isin(month_min, (1, 3, 12))
               & all_midnight & (all_first | all_last))
    known: dict[tuple[int, ...], str | None] = {}
    for i in np.flatnonzero(fixed | monthly):
        a = starts[i]
        if fixed[i]:
            step = int(step_min[i])
            key: tuple[int, ...] = (0, step, int(weekday[a]) if step % (7 * _NS_PER_DAY) == 0
                                    else -1)
        else:
            k = int(month_min[i])
            key = (1, k, int(month_index[a]) % k, int(all_first[i]))
        if key not in known:
            try:
                known[key] = infer_frequency(pd.DatetimeIndex(ds[a : bounds[i + 1]]))
            except DataError:
                known[key] = None
        out[i] = known[key]
    return out


def _step_range(steps: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest step inside each series (steps across a boundary left out)."""
    lo, hi = steps.copy(), steps.copy()
    crossing = bounds[1:-1] - 1
    lo[crossing] = np.iinfo(np.int64).max
    hi[crossing] = np.iinfo(np.int64).min
    at = np.minimum(bounds[:-1], len(steps) - 1)
    return np.minimum.reduceat(lo, at), np.maximum.reduceat(hi, at)


def _infer_freq(idx: pd.DatetimeIndex) -> str | None:
    """`pd.infer_freq` as a string on every pandas: pandas 3.1 warns on each call that it
    will return an offset object, and pandas 4 will (whose ``str()`` is not the alias)."""
    try:
        with pd.option_context("future.infer_freq_returns_offset", False):
            freq: object = pd.infer_freq(idx)
    except (KeyError, pd.errors.OptionError):  # pandas < 3.1: no such option, no warning
        freq = pd.infer_freq(idx)
    if freq is None:
        return None
    name = freq if isinstance(freq, str) else str(getattr(freq, "freqstr", freq))
    return _canonical_quarter(name)


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _canonical_quarter(name: str) -> str:
    """Name quarterly anchors by the first quarter's month: pandas 2 infers "QS-OCT" where
    pandas 3 infers "QS-JAN" for the same dates (Jan, Apr, Jul, Oct)."""
    base, _, anchor = name.partition("-")
    if base.lstrip("0123456789") in ("QS", "BQS") and anchor in _MONTHS:
        return f"{base}-{_MONTHS[_MONTHS.index(anchor) % 3]}"
    return name


def series_frequency(series: pd.DataFrame, uid: str = "") -> str:
    """The frequency of one series of a canonical frame: the one `read_series` found (kept in
    ``attrs["freq"]`` when all series share it), else inferred from its timestamps."""
    found = series.attrs.get("freq")
    return str(found) if found else infer_frequency(series["ds"], uid)


def season_length_for(freq: str) -> int:
    """The default seasonal period of a frequency: 12 monthly, 4 quarterly, 7 daily, 24 hourly,
    52 weekly, 1 yearly and for integer indexes (no calendar to know a season from)."""
    if is_integer_freq(freq):
        return 1
    offset = to_offset(freq)
    base = offset.rule_code.split("-")[0]
    if offset.n != 1:
        return 1
    return _SEASON_BY_BASE.get(base, 1)


def future_timestamps(last: object, freq: str, horizon: int) -> pd.Index:
    """The `horizon` timestamps that follow `last` at frequency `freq`."""
    if is_integer_freq(freq):
        step = int(freq[len(INT_PREFIX):])
        start = int(last)  # type: ignore[call-overload]
        return pd.Index(start + step * np.arange(1, horizon + 1, dtype=np.int64))
    rng = pd.date_range(start=pd.Timestamp(last), periods=horizon + 1, freq=freq)  # type: ignore[arg-type]
    return pd.Index(rng[1:])


def expected_timestamps(first: object, last: object, freq: str) -> pd.Index:
    """Every timestamp from `first` to `last` at frequency `freq` (for finding gaps)."""
    if is_integer_freq(freq):
        step = int(freq[len(INT_PREFIX):])
        lo, hi = int(first), int(last)  # type: ignore[call-overload]
        return pd.Index(list(range(lo, hi + 1, step)), dtype="int64")
    return pd.Index(pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq=freq))  # type: ignore[arg-type]
