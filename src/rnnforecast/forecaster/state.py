"""Per-series state: what a fitted model keeps of each series (`SeriesState`), how it is
fitted from a series' values (`fit_series`), and the frame helpers fit and predict share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.baselines.benchmarks import drift_step
from rnnforecast.data.framing import FramingState, fit_framing
from rnnforecast.data.frequency import is_integer_freq
from rnnforecast.data.seasons import framing_season
from rnnforecast.data.transforms import use_log
from rnnforecast.errors import DataError
from rnnforecast.io.timestamps import as_timestamp, ds_to_json

__all__ = ["SeriesState", "common_frequency", "fit_series", "split", "steps_between"]


@dataclass
class SeriesState:
    """What the fitted model keeps of one training series: enough to forecast from its end
    without the data (the tail), and the fitted transform (log flag, scale)."""

    unique_id: str
    log: bool
    scale: float
    season: int
    nonnegative: bool
    last_ds: Any
    tail: list[float]
    indices: list[float] = field(default_factory=list)
    span: int = 1
    start: int = 0  # position of tail[0] in the training series (aligns seasonal indices)
    inputs: dict[str, Any] = field(default_factory=dict)  # covariates: forecaster.inputs
    drift: float = 0.0  # slope of the line through the first and last training values
    forecast_by: str = "network"  # or the fallback the guard chose (`forecaster.guard`)

    @property
    def framing(self) -> FramingState:
        return FramingState(self.season, self.scale, self.indices, self.span)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["last_ds"] = ds_to_json(self.last_ds)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeriesState:
        data = dict(data)
        data["last_ds"] = as_timestamp(data["last_ds"])
        return cls(**data)


def fit_series(f: Any, uid: str, y: np.ndarray, last_ds: Any) -> tuple[SeriesState, np.ndarray]:
    """The state of series ``uid`` (values ``y``, ending at ``last_ds``) for a model ``f``
    whose ``season_length_``, ``lookback_`` and ``level_span_`` are known, and its values on
    the modelling scale (log or not)."""
    log = use_log(y, f.transform, uid)
    z = np.log(y) if log else y
    out_size = int(f.horizon) if f.strategy == "direct" else 1
    season = f.season_length_
    if f.framing == "level":  # hourly data: the week, when it is seasonal
        season = framing_season(y, season, out_size)
    elif len(z) < season + out_size:
        season = 1  # too short for one seasonal reference plus a target: non-seasonal
    span = int(f.level_span_)
    framing = fit_framing(f.framing, y, z, log, season, span)
    if log and framing.scale == 0.0:
        # A constant series: its forecast is the constant, and exp(log(c)) is not always
        # exactly c (7.5 -> 7.499999999999999), so keep it on its own scale.
        log, z = False, y
        framing = fit_framing(f.framing, y, z, log, season, span)
    nonneg = bool(np.all(y >= 0)) if f.nonnegative is None else bool(f.nonnegative)
    with np.errstate(over="ignore", invalid="ignore"):  # too large values fail the fit anyway
        drift = drift_step(y)  # the guard's drift fallback (`forecaster.guard`)
    keep = min(len(y), f.lookback_ + max(season, framing.span))
    state = SeriesState(uid, bool(log), float(framing.scale), int(season), nonneg,
                        as_timestamp(last_ds), [float(v) for v in y[-keep:]],
                        framing.indices, framing.span, len(y) - keep, drift=drift)
    return state, z


def split(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A long frame's series, in order of appearance."""
    return {str(uid): g for uid, g in frame.groupby("unique_id", sort=False)}


def steps_between(first: Any, last: Any, freq: str) -> int:
    """Whole steps of ``freq`` from ``first`` to ``last`` (negative when ``last`` is earlier)."""
    if is_integer_freq(freq):
        return (int(last) - int(first)) // int(freq.split(":")[1])
    lo, hi = sorted((pd.Timestamp(first), pd.Timestamp(last)))
    count = len(pd.date_range(lo, hi, freq=freq)) - 1
    return count if pd.Timestamp(last) >= pd.Timestamp(first) else -count


def common_frequency(groups: dict[str, pd.DataFrame]) -> str:
    """The one frequency of the series in ``groups`` (a `DataError` when they mix)."""
    from rnnforecast.data.frequency import series_frequency

    freqs = {uid: series_frequency(g, uid) for uid, g in groups.items()}
    distinct = sorted(set(freqs.values()))
    if len(distinct) > 1:
        kinds = {is_integer_freq(f) for f in distinct}
        what = "integer and date time axes" if len(kinds) > 1 else f"frequencies {distinct}"
        raise DataError(f"the series mix {what}; fit series of one frequency together")
    return distinct[0]
