"""The fitted predictor: an immutable snapshot of a fitted `Forecaster` (the parameters that
prediction reads and the learned state) that forecasts, streams from new data and adds the
interval columns. ``Forecaster.predict`` builds one (`Predictor.of`) and calls it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.framing import MIN_LEVEL_SPAN, forecast_window, reconstruct
from rnnforecast.data.frequency import future_timestamps
from rnnforecast.data.reader import read_series
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.forecaster.conformal import Calibration, series_scale
from rnnforecast.forecaster.guard import guarded
from rnnforecast.forecaster.heads import head_quantiles, order_bounds
from rnnforecast.forecaster.inputs import input_columns, plan_for
from rnnforecast.forecaster.params import is_int
from rnnforecast.forecaster.state import (
    SeriesState,
    common_frequency,
    fit_series,
    split,
    steps_between,
)
from rnnforecast.io.timestamps import as_timestamp
from rnnforecast.levels import check_levels, interval_columns
from rnnforecast.training.devices import resolve_device

__all__ = ["PREDICT_BATCH", "Predictor"]

#: Series forecast per network call: bounds predict's memory on panels of any size.
PREDICT_BATCH = 2048
#: the constructor parameters that prediction reads
PREDICT_PARAMS = ("model", "horizon", "strategy", "transform", "nonnegative", "framing",
                  "fill", "levels", "conformal", "future_cols", "past_cols", "embedding",
                  "local", "device", "precision", "threads")


@dataclass(frozen=True)
class Predictor:
    """What forecasting needs of a fitted model; attribute names are the `Forecaster`'s, so
    the helpers that read a Forecaster (`plan_for`, `fit_series`, ...) read this too."""

    model: str
    horizon: int
    strategy: str
    transform: str
    nonnegative: bool | None
    framing: str
    fill: Any
    levels: list[float] | None
    conformal: bool
    future_cols: list[str] | None
    past_cols: list[str] | None
    embedding: int | None
    local: bool
    device: str
    precision: str
    threads: int
    freq_: str
    season_length_: int
    lookback_: int
    series_: dict[str, SeriesState]
    net_: Any
    conformal_: Calibration | None = None
    level_span_: int = MIN_LEVEL_SPAN

    @classmethod
    def of(cls, f: Any) -> Predictor:
        """The predictor of a fitted `Forecaster` ``f`` as it is now."""
        return cls(**{name: getattr(f, name) for name in PREDICT_PARAMS},
                   freq_=f.freq_, season_length_=f.season_length_, lookback_=f.lookback_,
                   series_=f.series_, net_=f.net_, conformal_=getattr(f, "conformal_", None),
                   level_span_=getattr(f, "level_span_", MIN_LEVEL_SPAN))

    def predict(self, horizon: int | None = None, data: Any = None,
                future: Any = None) -> pd.DataFrame:
        """`Forecaster.predict`: the long forecast frame, interval columns included."""
        h = int(self.horizon) if horizon is None else horizon
        if not is_int(h) or h < 1:
            raise ConfigError(f"horizon={horizon!r} is invalid: use an integer >= 1")
        if self.strategy == "direct" and h > int(self.horizon):
            raise ConfigError(
                f"horizon {h} is longer than the {self.horizon} steps this direct model was "
                "trained for; refit with a longer horizon or use strategy='recursive'"
            )
        states = self.series_ if data is None else self.states_for(data)
        ahead = plan_for(self).future_inputs(list(states.values()), h, future)
        network = self.forecast_states(list(states.values()), h, ahead)
        rows = []
        for state, values in zip(states.values(), network, strict=True):
            ds = future_timestamps(state.last_ds, self.freq_, h)
            point = guarded(values, state, self.season_length_)
            rows.append(pd.DataFrame({"unique_id": state.unique_id, "ds": ds, self.model: point}))
        return self.intervals(list(states.values()), pd.concat(rows, ignore_index=True), h,
                              ahead, network)

    def states_for(self, data: Any) -> dict[str, SeriesState]:
        """The states to forecast from the end of ``data``: a training series keeps its
        fitted transform (its tail is replaced), a new one gets it fitted here."""
        frame = read_series(data, fill=self.fill, covariates=input_columns(self))
        plan = plan_for(self)
        groups = split(frame)
        freq = common_frequency(groups)
        if freq != self.freq_:
            # Otherwise the forecast's timestamps continue the data at the wrong frequency.
            raise DataError(
                f"the data has frequency '{freq}' but the model was fitted on '{self.freq_}' "
                "data; forecast from data of the training frequency"
            )
        out: dict[str, SeriesState] = {}
        for uid, g in groups.items():
            y = g["y"].to_numpy(dtype=np.float64)
            known = self.series_.get(uid)
            if known is None:
                if self.local:
                    raise DataError(
                        f"series '{uid}' was not in the training data, and a local model "
                        "(local=True) has a network for each training series only: refit with "
                        "it included, or use a global model (local=False)"
                    )
                if len(y) < 2:
                    raise DataError(f"series '{uid}' needs at least 2 points to forecast from")
                state, _ = fit_series(self, uid, y, g["ds"].iloc[-1])
            else:
                state = self._continue(known, y, g["ds"].iloc[-1])
            if len(state.tail) < state.season:
                raise DataError(
                    f"series '{uid}' has {len(state.tail)} points; forecasting it needs at "
                    f"least {state.season} (one season)"
                )
            plan.attach(state, g, known)  # covariate scales, tails and embedding index
            out[uid] = state
        return out

    def _continue(self, known: SeriesState, y: np.ndarray, last_ds: Any) -> SeriesState:
        """A training series' state with its tail taken from new values ``y``."""
        uid = known.unique_id
        if known.log and np.any(y <= 0):
            raise DataError(
                f"series '{uid}' was modelled on the log scale but the new data has "
                "values <= 0; refit with transform='none'"
            )
        keep = min(len(y), self.lookback_ + max(known.season, known.span))
        last = as_timestamp(last_ds)
        # series position of the new data's end, counted from the training start
        end = known.start + len(known.tail) - 1 + steps_between(
            known.last_ds, last, self.freq_)
        return SeriesState(uid, known.log, known.scale, known.season, known.nonnegative,
                           last, [float(v) for v in y[-keep:]], known.indices,
                           known.span, end - keep + 1, drift=known.drift,
                           forecast_by=known.forecast_by)

    def forecast_states(self, states: list[SeriesState], h: int,
                        future: list[np.ndarray] | None = None,
                        block: int = 0) -> list[np.ndarray]:
        """Forecasts of ``states``, PREDICT_BATCH series at a time: memory stays bounded
        however many series there are (``future``: each series' future-known inputs;
        ``block`` k > 0: the k-th quantile head's outputs instead of the point)."""
        out: list[np.ndarray] = []
        for a in range(0, len(states), PREDICT_BATCH):
            part = None if future is None else future[a : a + PREDICT_BATCH]
            out += self._forecast_batch(states[a : a + PREDICT_BATCH], h, part, block)
        return out

    def _forecast_batch(self, states: list[SeriesState], h: int,
                        future: list[np.ndarray] | None, block: int = 0) -> list[np.ndarray]:
        import torch

        plan = plan_for(self)
        zs = [np.log(s.tail) if s.log else np.asarray(s.tail, dtype=np.float64) for s in states]
        steps = 1 if self.strategy == "direct" else h
        out_size = h if self.strategy == "direct" else 1
        z_hat = [np.empty(0) for _ in states]
        from rnnforecast.training.devices import autocast

        net = self.net_
        net.eval()
        # the network lives on the CPU between calls (save, explain); it visits the device
        device = torch.device("cpu") if self.local else resolve_device(str(self.device),
                                                                       strict=False)
        net.to(device)
        # a local model sends each series' window to that series' own network
        order = {uid: i for i, uid in enumerate(self.series_)}
        route = (torch.tensor([order[s.unique_id] for s in states]),) if self.local else ()
        previous = torch.get_num_threads()
        torch.set_num_threads(int(self.threads))
        try:
            for _ in range(steps):
                windows = plan.forecast_windows(np.stack([
                    forecast_window(self.framing, z, s.log, s.framing, self.lookback_, s.start)
                    for z, s in zip(zs, states, strict=True)
                ]), states, future)
                with torch.inference_mode():
                    batch = torch.from_numpy(windows.astype(np.float32)).to(device)
                    with autocast(device, str(self.precision)):
                        raw = net(batch, *route).double().cpu().numpy()
                # (series, out): the point, or quantile head `block`
                member_median = np.median(raw, axis=0)[:, block * out_size:(block + 1) * out_size]
                for i, (z, s) in enumerate(zip(zs, states, strict=True)):
                    step = reconstruct(self.framing, z, s.log, s.framing, member_median[i],
                                       s.start)
                    if self.strategy == "direct":
                        z_hat[i] = step
                    else:
                        zs[i] = np.append(z, step)
                        z_hat[i] = np.append(z_hat[i], step)
        finally:
            torch.set_num_threads(previous)
            net.cpu()
        return [self._finish(z_pred[:h], s) for z_pred, s in zip(z_hat, states, strict=True)]

    @staticmethod
    def _finish(z_pred: np.ndarray, s: SeriesState) -> np.ndarray:
        """Model-scale forecasts back on the data's scale (exp, clip at 0), checked finite."""
        values = np.exp(z_pred) if s.log else z_pred
        if s.nonnegative:
            values = np.maximum(values, 0.0)
        if not np.all(np.isfinite(values)):
            raise DataError(
                f"the forecast for series '{s.unique_id}' overflows float64; rescale the data"
            )
        return values

    def intervals(self, states: list[SeriesState], frame: pd.DataFrame, h: int,
                  future: Any = None, network: list[np.ndarray] | None = None,
                  ) -> pd.DataFrame:
        """``frame`` (the point forecasts, ``h`` rows per series in ``states`` order) with the
        interval columns (quantile heads or conformal). Quantile heads go through the same
        forecast path as the point (``block`` k: head k's outputs), so they are
        reconstructed, exponentiated and clipped exactly like the point; around a series'
        guard fallback (``network``: the network's points) they keep their width."""
        if self.levels is None:
            return frame
        levels = check_levels(self.levels)
        points = frame[self.model].to_numpy(dtype=np.float64).reshape(len(states), h)
        if self.conformal:
            calibration = self.conformal_
            if calibration is None:
                raise ConfigError("this model has conformal=True but no calibration: refit it")
            bounds = []
            for s, point in zip(states, points, strict=True):
                scale = calibration.scales.get(s.unique_id)
                if scale is None:  # a series not seen in training: its recent history's scale
                    scale = series_scale(np.asarray(s.tail, dtype=np.float64),
                                         self.season_length_)
                bounds.append(calibration.bounds(point, scale, h, s.nonnegative))
        else:
            heads = [self.forecast_states(states, h, future, block=k)
                     for k in range(1, 1 + len(head_quantiles(self)))]
            nets = points if network is None else network
            bounds = [order_bounds(nets[i], np.stack([head[i] for head in heads]))
                      + (p - nets[i]) for i, p in enumerate(points)]
        stacked = np.concatenate(bounds, axis=1)  # (2L, series * h)
        out = frame.copy()
        for k, col in enumerate(interval_columns(self.model, levels)):
            out[col] = stacked[k]
        return out
