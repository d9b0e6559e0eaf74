"""Extra network inputs beside the value channels: covariates, calendar features, series index.

A `InputPlan` turns the Forecaster's ``past_cols``, ``future_cols`` and ``embedding`` into
input channels, in this order after the framing's value and "observed" channels::

    value, observed | past columns | future columns, calendar features | series index

- Past columns are known up to the forecast origin; future columns (and the calendar
  features) are also known over the horizon. Each user column is standardised per series with
  the mean and standard deviation of that series' *training* rows only (a column that never
  changes in a series is only centred), so that series of any scale share one network.
- A column that is constant within every training series is a *static feature* (a store's
  size, a product's category code): per-series scaling would turn it into zeros, so it is
  standardised across series instead, with the mean and standard deviation of the series'
  values (``[mean, std, 1.0]`` in the scales; the 1.0 marks it static). Give static features
  as ``past_cols`` repeated on every row: they need no future values.
- ``"calendar"`` in ``future_cols`` is not a column: it adds sin/cos of the position in the
  day, week or year computed from ``ds`` (`calendar_names` lists them per frequency), so it
  needs no user data at predict time.
- When some input is known over the horizon, or the model is "seq2seq", a window carries
  ``lookback + horizon`` steps: the last ``horizon`` steps hold only the future-known columns
  (value, flag and past columns zero). A direct network reads them before its head; the
  seq2seq decoder runs over them.
- With an embedding the last channel holds the series' index in the embedding table (-1 for
  a series not seen in training: the network then uses the mean embedding).

Everything a forecast needs later (scales, the last ``lookback`` raw values of each column,
the index) lives in ``SeriesState.inputs``, a JSON dictionary.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rnnforecast.data.frequency import future_timestamps, is_integer_freq
from rnnforecast.data.windows import N_CHANNELS, input_windows, sliding_windows
from rnnforecast.errors import DataError

FloatArray = NDArray[np.float64]
CALENDAR = "calendar"
_DAY_NS = 86_400 * 10**9


def calendar_names(freq: str) -> list[str]:
    """The calendar features that vary at ``freq``: hour of day and day of week below a day,
    day of week and month of year daily, day of year weekly, month of year monthly and
    quarterly. Yearly and integer-indexed data have none (a `DataError`)."""
    kinds = _calendar_kinds(freq)
    if not kinds:
        raise DataError(
            f"future_cols=['calendar'] needs dated data below a yearly frequency, but the data's "
            f"frequency is '{freq}'; remove 'calendar' or give your own future columns"
        )
    return [f"calendar_{k}_{f}" for k in kinds for f in ("sin", "cos")]


def _calendar_kinds(freq: str) -> list[str]:
    if is_integer_freq(freq):
        return []
    offset = pd.tseries.frequencies.to_offset(freq)
    base = offset.rule_code.split("-")[0]
    nanos = getattr(offset, "nanos", None) if isinstance(offset, pd.offsets.Tick) else None
    if nanos is not None and nanos < _DAY_NS:
        return ["hour", "weekday"]
    if base in ("D", "B", "C") or nanos == _DAY_NS:
        return ["weekday", "month"]
    if base == "W":
        return ["yearday"]
    if base.startswith(("M", "Q", "BM", "BQ", "SM", "CBM")):
        return ["month"]
    return []


def calendar_features(ds: Sequence[Any] | pd.Index | np.ndarray, freq: str) -> FloatArray:
    """Sin and cos of each calendar position (columns as in `calendar_names`)."""
    stamps = pd.DatetimeIndex(pd.to_datetime(np.asarray(ds)))
    cycles = {
        "hour": ((stamps.hour + stamps.minute / 60.0).to_numpy(np.float64), 24.0),
        "weekday": (stamps.dayofweek.to_numpy(np.float64), 7.0),
        "month": (stamps.month.to_numpy(np.float64) - 1.0, 12.0),
        "yearday": (stamps.dayofyear.to_numpy(np.float64) - 1.0, 365.25),
    }
    columns = []
    for kind in _calendar_kinds(freq):
        position, period = cycles[kind]
        angle = 2.0 * np.pi * position / period
        columns += [np.sin(angle), np.cos(angle)]
    return np.stack(columns, axis=1) if columns else np.zeros((len(stamps), 0))


@dataclass(frozen=True)
class InputPlan:
    """Which channels a window carries and how to build them (see the module docstring)."""

    past: tuple[str, ...]
    future: tuple[str, ...]  # user columns known over the horizon
    calendar: tuple[str, ...]  # calendar feature names (empty unless asked for)
    embedding: bool
    seq2seq: bool  # a causal decoder reads the horizon steps
    pack: bool  # windows carry `horizon` decoder steps after the lookback
    lookback: int
    horizon: int
    freq: str
    static: dict[str, list[float]] = field(default_factory=dict)  # column -> [mean, std, 1]

    @classmethod
    def create(cls, *, past_cols: Sequence[str] | None, future_cols: Sequence[str] | None,
               embedding: int | None, seq2seq: bool, lookback: int, horizon: int,
               freq: str) -> InputPlan:
        future = tuple(future_cols or ())
        calendar = tuple(calendar_names(freq)) if CALENDAR in future else ()
        user_future = tuple(c for c in future if c != CALENDAR)
        return cls(tuple(past_cols or ()), user_future, calendar, bool(embedding), seq2seq,
                   seq2seq or bool(user_future or calendar), lookback, horizon, freq)

    @property
    def columns(self) -> list[str]:
        """The data columns read from the long frame."""
        return [*self.past, *self.future]

    @property
    def active(self) -> bool:
        return bool(self.columns or self.calendar or self.embedding or self.pack)

    @property
    def n_future(self) -> int:
        return len(self.future) + len(self.calendar)

    @property
    def decoder_from(self) -> int:
        """First channel of the future-known inputs (the decoder's inputs start there)."""
        return N_CHANNELS + len(self.past)

    @property
    def channels(self) -> int:
        """Input channels of a window, the series index included."""
        return self.decoder_from + self.n_future + int(self.embedding)

    def fit_statics(self, frame: pd.DataFrame) -> InputPlan:
        """This plan with the static columns of the training ``frame`` and their scales
        across series (one value per series, so long series do not weigh more)."""
        static: dict[str, list[float]] = {}
        if self.columns:
            groups = frame.groupby("unique_id", sort=False)[self.columns]
            low, high, first = groups.min(), groups.max(), groups.first()
            for col in self.columns:
                if bool((low[col] == high[col]).all()):
                    static[col] = [*_fit_scale(first[col].to_numpy(np.float64)), 1.0]
        return replace(self, static=static)

    # ------------------------------------------------------------------- per series

    def attach(self, state: Any, group: pd.DataFrame, known: Any = None,
               index: int = -1) -> FloatArray | None:
        """Fill ``state.inputs`` from one series' rows (``unique_id, ds, y`` + columns):
        scales fitted on these rows unless ``known`` (the training state) has them, the last
        ``lookback`` raw values, the embedding index. Returns the scaled per-step inputs
        (rows, channels after the value channels, index excluded) for training windows."""
        if not self.active:
            return None
        raw = group[self.columns].to_numpy(dtype=np.float64) if self.columns else None
        if known is not None and known.inputs:
            scales = known.inputs["scales"]
            index = int(known.inputs.get("index", -1))
        else:
            scales = {c: self.static.get(c) or _fit_scale(raw[:, j])
                      for j, c in enumerate(self.columns)} if raw is not None else {}
        keep = min(len(group), self.lookback)
        tail = {c: [float(v) for v in raw[-keep:, j]] for j, c in enumerate(self.columns)} \
            if raw is not None else {}
        state.inputs = {"scales": scales, "tail": tail, "index": int(index)}
        return self._scaled(raw, group["ds"].to_numpy(), scales)

    def _scaled(self, raw: FloatArray | None, ds: np.ndarray,
                scales: dict[str, list[float]]) -> FloatArray:
        parts = []
        if raw is not None:
            mean = np.array([scales[c][0] for c in self.columns])
            std = np.array([scales[c][1] for c in self.columns])
            parts.append((raw - mean) / std)
        if self.calendar:
            parts.append(calendar_features(ds, self.freq))
        return np.concatenate(parts, axis=1) if parts else np.zeros((len(ds), 0))

    # ------------------------------------------------------------------ training

    def training_windows(self, x: FloatArray, steps: FloatArray | None, origins: np.ndarray,
                         index: int) -> FloatArray:
        """Windows (n, lookback, 2) of the value channels -> full windows (n, steps, C)."""
        if not self.active:
            return x
        out, lookback, width = self._with_value_channels(x)
        if steps is not None and steps.shape[1] and len(x):
            out[:, :lookback, N_CHANNELS:width] = input_windows(steps, origins, lookback)
            if self.pack and self.n_future:
                ahead = sliding_windows(steps[1:, len(self.past):], self.horizon)[origins]
                out[:, lookback:, self.decoder_from:width] = ahead.transpose(0, 2, 1)
        if self.embedding:
            out[:, :, -1] = index
        return out

    # ------------------------------------------------------------------- predict

    def future_inputs(self, states: Sequence[Any], horizon: int,
                      future: pd.DataFrame | str | os.PathLike[str] | None,
                      ) -> list[FloatArray] | None:
        """Scaled future-known inputs (steps, n_future) per series for a forecast of
        ``horizon`` steps, from ``future`` (unique_id, ds, future columns; a frame or a CSV
        path) and the calendar; a `DataError` says what is missing."""
        if not self.pack:
            return None
        if isinstance(future, (str, os.PathLike)):
            future = read_future(future)
        # a seq2seq decoder is causal: steps past `horizon` cannot change the forecast and
        # are zero; a direct network reads every packed step, so it needs all of them
        need = horizon if self.seq2seq else max(horizon, self.horizon)
        rows = _future_rows(future, self.future, states, need, self.freq) \
            if self.future else None
        out = []
        for i, state in enumerate(states):
            block = np.zeros((self.horizon, self.n_future))
            ds = future_timestamps(state.last_ds, self.freq, need)
            if rows is not None:
                scales = state.inputs["scales"]
                mean = np.array([scales[c][0] for c in self.future])
                std = np.array([scales[c][1] for c in self.future])
                block[:need, :len(self.future)] = (rows[i] - mean) / std
            if self.calendar:
                block[:need, len(self.future):] = calendar_features(ds, self.freq)
            out.append(block[: self.horizon])
        return out

    def _with_value_channels(self, x: FloatArray) -> tuple[FloatArray, int, int]:
        """Zeroed full windows holding ``x``'s value channels, with the lookback and the end
        of the covariate channels: the layout training and forecast windows share."""
        lookback = x.shape[1]
        out = np.zeros((x.shape[0], lookback + (self.horizon if self.pack else 0),
                        self.channels))
        out[:, :lookback, :N_CHANNELS] = x
        return out, lookback, self.decoder_from + self.n_future

    def forecast_windows(self, x: FloatArray, states: Sequence[Any],
                         future: Sequence[FloatArray] | None) -> FloatArray:
        """Forecast windows (n, lookback, 2) -> full windows, from each state's stored tail."""
        if not self.active:
            return x
        out, lookback, width = self._with_value_channels(x)
        for i, state in enumerate(states):
            tail = state.inputs["tail"]
            k = min(len(state.tail), lookback)  # before the series' start: zeros, as in fit
            if self.columns:
                raw = np.array([tail[c][-k:] for c in self.columns], dtype=np.float64).T
            else:
                raw = None
            ds = pd.date_range(end=state.last_ds, periods=k, freq=self.freq) \
                if self.calendar else np.zeros(k)
            hist = self._scaled(raw, np.asarray(ds), state.inputs["scales"])
            out[i, lookback - k:lookback, N_CHANNELS:width] = hist
            if future is not None:
                out[i, lookback:, self.decoder_from:width] = future[i]
            if self.embedding:
                out[i, :, -1] = state.inputs["index"]
        return out


def read_future(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A CSV of future-known values (unique_id, ds, columns), read as text and typed later."""
    file = Path(path)
    if not file.is_file():
        raise DataError(f"{path}: future file not found")
    try:
        frame = pd.read_csv(file, dtype={"unique_id": str}, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _fit_scale(values: FloatArray) -> list[float]:
    mean = float(np.mean(values))
    std = float(np.std(values))
    return [mean, std if np.isfinite(std) and std > 0 else 1.0]


def _future_rows(future: pd.DataFrame | None, columns: tuple[str, ...], states: Sequence[Any],
                 steps: int, freq: str) -> list[FloatArray]:
    """Each series' values of ``columns`` at its next ``steps`` timestamps."""
    what = (f"a `future` frame (--future FILE) with columns unique_id, ds, {', '.join(columns)} "
            f"for the {steps} steps after each series' end")
    if future is None:
        raise DataError(f"this model uses future-known columns {list(columns)}: pass {what}")
    absent = [c for c in ("unique_id", "ds", *columns) if c not in future.columns]
    if absent:
        raise DataError(f"the future frame lacks column(s) {absent}: pass {what}")
    frame = future.assign(unique_id=future["unique_id"].astype(str))
    wanted = {s.unique_id: future_timestamps(s.last_ds, freq, steps) for s in states}
    try:
        frame["ds"] = (frame["ds"].astype(np.int64) if is_integer_freq(freq)
                       else _future_dates(frame["ds"], wanted))
        for col in columns:
            frame[col] = pd.to_numeric(frame[col])
    except (ValueError, TypeError) as exc:
        raise DataError(f"the future frame has an unreadable date or value ({exc}); use the "
                        "training data's date format and plain numbers") from None
    by_series = {str(uid): g.set_index("ds") for uid, g in frame.groupby("unique_id", sort=False)}
    out = []
    for state in states:
        uid = state.unique_id
        group = by_series.get(uid)
        if group is None:
            raise DataError(f"the future frame has no rows for series '{uid}': pass {what}")
        if group.index.has_duplicates:
            raise DataError(f"the future frame repeats a timestamp of series '{uid}'; keep one "
                            "row per series and timestamp")
        ds = wanted[uid]
        missing = ds.difference(group.index)
        if len(missing):
            raise DataError(
                f"the future frame misses {len(missing)} of the {steps} steps of series '{uid}' "
                f"(first {missing[0]}): pass {what}"
            )
        values = group.loc[ds, list(columns)].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(values)):
            raise DataError(f"the future frame has a missing or infinite value for series "
                            f"'{uid}' in {list(columns)}; give every future value")
        out.append(values)
    return out


def _future_dates(values: pd.Series, wanted: dict[str, pd.Index]) -> pd.Series:
    """A future file's dates read the way the data's are (`rnnforecast.data.dates`: ISO,
    month names, quarters, ...): day-first or month-first as the steps to forecast say,
    since a short file of day-first dates (01/02/2024, 01/03/2024, ...) also reads as a
    regular month-first series of days."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    from rnnforecast.data.dates import DateColumn, parse_dates

    column = DateColumn(values.reset_index(drop=True), "ds", "the future frame: ",
                        np.arange(2, len(values) + 2), "line")
    steps = pd.DatetimeIndex(np.concatenate([np.asarray(w) for w in wanted.values()]))
    readings, error = [], None
    for order in (None, "day-first", "month-first"):
        try:
            dates, _ = parse_dates(column, order)
        except DataError as exc:
            error = error or exc  # the data's own message for an unreadable date
            continue
        if steps.isin(dates).all():
            return pd.Series(dates, index=values.index)
        readings.append(dates)
    if not readings:
        assert error is not None
        raise error
    return pd.Series(readings[0], index=values.index)  # the missing steps are named below
