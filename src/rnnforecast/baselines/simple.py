"""Simple baselines with the `Forecaster` interface: ``Naive(horizon=12).fit(df).predict()``.

A baseline is one small class: `Baseline` does the plumbing (reading and validating the data,
remembering each series' values, frequency and last timestamp, building the long forecast
frame with dates that continue each series' calendar); a subclass only says how to forecast
one series from its numpy values in `forecast_series`. Adding drift, mean or Naive2 is one
class each, registered in `BASELINES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from rnnforecast.data.frequency import future_timestamps
from rnnforecast.data.history import past_timestamps
from rnnforecast.data.reader import FILL_METHODS, FillMethod, read_series
from rnnforecast.data.seasons import series_season
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.io.timestamps import as_timestamp, ds_to_json

__all__ = ["BASELINES", "Baseline", "Naive", "SeasonalNaive", "make_baseline", "seasonal_naive"]


@dataclass
class _Series:
    """What a fitted baseline keeps of one series."""

    unique_id: str
    values: np.ndarray
    last_ds: Any
    freq: str
    season: int


class Baseline:
    """Base class: parameters in ``__init__``, ``fit`` returns ``self``, ``predict`` returns
    the long frame ``unique_id, ds, <name>``.

    ``season_length`` ``None`` derives each series' season from its frequency (12 monthly,
    4 quarterly, 7 daily, 24 hourly, 52 weekly, 1 otherwise); a series shorter than one
    season is forecast with season 1 (as the Forecaster does).
    """

    name: ClassVar[str] = ""
    #: whether the method uses the season length (for documentation and tables)
    seasonal: ClassVar[bool] = False

    def __init__(
        self,
        horizon: int,
        season_length: int | None = None,
        *,
        fill: FillMethod | None = None,
    ) -> None:
        self.horizon = horizon
        self.season_length = season_length
        self.fill = fill

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(horizon={self.horizon!r}, "
            f"season_length={self.season_length!r})"
        )

    # ------------------------------------------------------------------------ override

    def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
        """Forecast ``horizon`` values after the end of one series ``y`` (float64, no NaN)."""
        raise NotImplementedError

    # ---------------------------------------------------------------------------- API

    def fit(self, data: Any) -> Baseline:
        """Read ``data`` (anything `read_series` accepts) and remember each series."""
        self._check_params()
        self.series_ = self._read(data)
        return self

    def predict(self, horizon: int | None = None, data: Any = None, *,
                unfit: bool = False) -> pd.DataFrame:
        """Forecast ``horizon`` steps (default: the fitted horizon) after the end of the
        training data, or after the end of ``data`` when given.

        ``unfit=True``: a series this model cannot forecast (a `DataError`, such as a series
        too short for statsforecast) gets NaN instead of failing the whole panel (for
        combinations, which fall back on their other members)."""
        if not hasattr(self, "series_"):
            raise ConfigError(f"this {type(self).__name__} is not fitted yet: call fit(data) first")
        h = int(self.horizon) if horizon is None else horizon
        if not _is_int(h) or h < 1:
            raise ConfigError(f"horizon={horizon!r} is invalid: use an integer >= 1")
        series = list((self.series_ if data is None else self._read(data)).values())
        values = [self._forecast(s, int(h), unfit) for s in series]
        for s, v in zip(series, values, strict=True):
            if v.shape != (h,):
                raise RuntimeError(f"{self.name} returned {v.shape} values for series "
                                   f"'{s.unique_id}', expected ({h},)")
        dates = [future_timestamps(s.last_ds, s.freq, int(h)) for s in series]
        return pd.DataFrame({
            "unique_id": np.repeat([s.unique_id for s in series], h),
            "ds": dates[0].append(dates[1:]) if len(dates) > 1 else dates[0],
            self.name: np.concatenate(values),
        })

    def stored_series(self) -> tuple[list[dict[str, Any]], np.ndarray]:
        """What ``fit`` kept, for a model file: JSON fields per series, and every series'
        values end to end (an array: a long panel in JSON would be slow and large)."""
        if not hasattr(self, "series_"):
            raise ConfigError(f"this {type(self).__name__} is not fitted yet: call fit(data) first")
        series = list(self.series_.values())
        fields = [{"unique_id": s.unique_id, "length": len(s.values),
                   "last_ds": ds_to_json(s.last_ds), "freq": s.freq, "season": s.season}
                  for s in series]
        values = (np.concatenate([s.values for s in series]) if series
                  else np.empty(0, dtype=np.float64))
        return fields, values

    def history(self) -> pd.DataFrame:
        """What ``fit`` kept, as the long frame ``unique_id, ds, y`` (every point)."""
        if not hasattr(self, "series_"):
            raise ConfigError(f"this {type(self).__name__} is not fitted yet: call fit(data) first")
        return pd.concat([pd.DataFrame({"unique_id": s.unique_id,
                                        "ds": past_timestamps(s.last_ds, len(s.values), s.freq),
                                        "y": s.values})
                          for s in self.series_.values()], ignore_index=True)

    def restore_series(self, fields: list[dict[str, Any]], values: np.ndarray) -> Baseline:
        """The fitted state that `stored_series` gave, without reading the data again
        (`ValueError` when the fields and values do not fit together)."""
        self._check_params()
        lengths = [int(f["length"]) for f in fields]
        if sum(lengths) != len(values) or min(lengths, default=1) < 1:
            raise ValueError(f"{sum(lengths)} stored values expected, {len(values)} found")
        ends = np.cumsum(lengths)
        self.series_ = {
            str(f["unique_id"]): _Series(str(f["unique_id"]),
                                         np.asarray(values[end - n:end], dtype=np.float64),
                                         as_timestamp(f["last_ds"]), str(f["freq"]),
                                         int(f["season"]))
            for f, n, end in zip(fields, lengths, ends, strict=True)}
        return self

    # ----------------------------------------------------------------------- plumbing

    def _forecast(self, s: _Series, horizon: int, unfit: bool) -> np.ndarray:
        try:
            return np.asarray(self.forecast_series(s.values, horizon, s.season),
                              dtype=np.float64)
        except DataError:
            if not unfit:
                raise
            return np.full(horizon, np.nan)

    def _check_params(self) -> None:
        if not _is_int(self.horizon) or self.horizon < 1:
            raise ConfigError(f"horizon={self.horizon!r} is invalid: use an integer >= 1")
        if self.season_length is not None and (
            not _is_int(self.season_length) or self.season_length < 1
        ):
            raise ConfigError(
                f"season_length={self.season_length!r} is invalid: use an integer >= 1 or None"
            )
        if self.fill is not None and self.fill not in FILL_METHODS:
            raise ConfigError(
                f"fill={self.fill!r} is invalid: use one of {', '.join(FILL_METHODS)} or None"
            )

    def _read(self, data: Any) -> dict[str, _Series]:
        frame = read_series(data, fill=self.fill)
        out: dict[str, _Series] = {}
        for uid, g in frame.groupby("unique_id", sort=False):
            freq, m = series_season(g, str(uid), self.season_length)
            y = g["y"].to_numpy(dtype=np.float64)
            if len(y) < m:
                m = 1
            out[str(uid)] = _Series(str(uid), y, as_timestamp(g["ds"].iloc[-1]), freq, m)
        return out


class Naive(Baseline):
    """Repeat the last observed value: ``f_{T+k} = y_T``."""

    name = "naive"

    def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
        return np.full(horizon, y[-1], dtype=np.float64)


class SeasonalNaive(Baseline):
    """Repeat the last observed season: ``f_{T+k} = y_{T - m + 1 + ((k - 1) mod m)}``."""

    name = "seasonal_naive"
    seasonal = True

    def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
        return seasonal_naive(y, horizon, season)


def seasonal_naive(y: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The last observed season of ``y`` repeated over ``horizon`` steps (the last value
    when ``y`` is shorter than a season); also the Forecaster guard's fallback."""
    m = season if len(y) >= season else 1
    return np.asarray(y[-m:][np.arange(horizon) % m], dtype=np.float64)


BASELINES: dict[str, type[Baseline]] = {
    Naive.name: Naive,
    SeasonalNaive.name: SeasonalNaive,
}


def make_baseline(
    name: str, horizon: int, season_length: int | None = None, **kwargs: Any
) -> Baseline:
    """A baseline by its registry name (`ConfigError` naming the choices for unknown names)."""
    try:
        cls = BASELINES[name]
    except KeyError:
        raise ConfigError(
            f"unknown baseline '{name}': use one of {', '.join(BASELINES)}"
        ) from None
    return cls(horizon, season_length, **kwargs)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)

