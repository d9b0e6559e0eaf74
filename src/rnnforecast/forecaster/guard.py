"""The guard: on small data a network must beat the naive forecasts on its own training data.

A network trained on one short series (tens to a few hundred windows) can learn a pattern
that does not hold: a growth spurt extrapolated, a season that has shifted, the noise of a
random walk. AutoETS guards against that with information criteria; a network had nothing.
So before a small-data fit returns (fewer than `PANEL_WINDOWS` training windows), the same
model is fitted once more on every series minus its last ``k`` horizons and forecasts them
one horizon at a time (``k``: enough to span two seasons, and one per ten horizons of the
shortest series, at most five: neither one odd year nor one day of an hourly series is
evidence enough). A series whose network forecast has a larger mean absolute error there than
seasonal naive or drift (the straight line through the series' first and last values)
forecasts with the best of those two instead; the network is kept on ties. The choice is
stored per series (`SeriesState.forecast_by`, in the model file) and reported by
``Forecaster.guarded_``.

Only training data is read: the held-out points are the training data's own last ones. The
cost is that second fit, on less data, with at most `GUARD_MEMBERS` ensemble members: on
the dev set's validation singles and AirPassengers two members made the same choices as
four, at half the cost. Panels are not guarded: one network learns across
their series, and there the per-series choice made the dev panels' forecasts worse
(BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.baselines.benchmarks import drift
from rnnforecast.baselines.simple import seasonal_naive
from rnnforecast.errors import RnnForecastError
from rnnforecast.forecaster.state import SeriesState

__all__ = ["FALLBACKS", "NETWORK", "choose_fallbacks", "fallback_forecast", "guarded"]

NETWORK = "network"
FALLBACKS = ("seasonal_naive", "drift")
ORIGIN_SPACING = 10
MAX_ORIGINS = 5
GUARD_MEMBERS = 2


def fallback_forecast(kind: str, state: SeriesState, season: int, h: int) -> np.ndarray:
    """The ``h``-step forecast of fallback ``kind`` from the end of a series' state."""
    tail = np.asarray(state.tail, dtype=np.float64)
    if kind == "seasonal_naive":
        return seasonal_naive(tail, h, season)
    if kind == "drift":
        return drift(tail[-1], state.drift, h)
    raise ValueError(f"unknown fallback {kind!r}")


def origin_count(groups: dict[str, pd.DataFrame], h: int, season: int) -> int:
    """Forecast origins the guard judges on, 1 to ``MAX_ORIGINS``: enough horizons to span
    two seasons (one odd year is not evidence: AirPassengers' 1958 slowdown made seasonal
    naive beat the network on 1958 and lose on 1957), and one per ``ORIGIN_SPACING``
    horizons of the shortest series (a long series is not judged on one day)."""
    shortest = min(len(g) for g in groups.values())
    seasons = -(-2 * season // h) if season > 1 else 1
    return max(1, min(MAX_ORIGINS, max(seasons, shortest // (ORIGIN_SPACING * h))))


def choose_fallbacks(f: Any, groups: dict[str, pd.DataFrame],
                     fit: Callable[[Any, pd.DataFrame], None]) -> dict[str, str]:
    """Per series of ``groups`` (the training data of ``f``, a `Forecaster` being fitted):
    "network", or the fallback with a smaller mean absolute error than the network's over
    the series' last ``k * horizon`` points (`origin_count`), forecast ``horizon`` at a time
    by the same model fitted (by ``fit``) on the points before them. Series too short to
    hold those points out keep the network."""
    h = int(f.horizon)
    held = origin_count(groups, h, int(f.season_length_)) * h
    head = {uid: g.iloc[:-held] for uid, g in groups.items() if len(g) - held >= h + 2}
    if not head:
        return {}
    params = dict(f.get_params(), guard=False, levels=None, conformal=False, quiet=True,
                  ensemble=min(int(f.settings_["ensemble"]), GUARD_MEMBERS))
    inner = type(f)(**params)
    season = int(f.season_length_)
    errors: dict[str, dict[str, list[np.ndarray]]] = {
        uid: {kind: [] for kind in (NETWORK, *FALLBACKS)} for uid in head}
    try:
        fit(inner, pd.concat(head.values(), ignore_index=True))
        predictor = inner.predictor_
        for start in range(0, held, h):  # origins `held - start` points before the end
            states = inner.series_ if start == 0 else predictor.states_for(pd.concat(
                [groups[uid].iloc[:len(groups[uid]) - held + start] for uid in head],
                ignore_index=True))
            network = predictor.forecast_states(list(states.values()), h)
            for (uid, state), values in zip(states.items(), network, strict=True):
                y = groups[uid]["y"].to_numpy(dtype=np.float64)
                truth = y[len(y) - held + start:][:h]
                errors[uid][NETWORK].append(np.abs(truth - values))
                for kind in FALLBACKS:
                    errors[uid][kind].append(
                        np.abs(truth - fallback_forecast(kind, state, season, h)))
    except RnnForecastError:  # e.g. a set lookback that the shorter data cannot fill
        return {}
    chosen: dict[str, str] = {}
    for uid, by_kind in errors.items():
        mae = {kind: float(np.mean(np.concatenate(parts))) for kind, parts in by_kind.items()}
        chosen[uid] = min(mae, key=lambda kind: mae[kind])  # ties: the first, the network
    return chosen


def guarded(values: np.ndarray, state: SeriesState, season: int) -> np.ndarray:
    """``values`` (the network's forecast of ``state``'s series) or, when the guard chose a
    fallback for that series, the fallback's forecast (clipped at 0 like the network's)."""
    if state.forecast_by == NETWORK:
        return values
    out = fallback_forecast(state.forecast_by, state, season, len(values))
    return np.maximum(out, 0.0) if state.nonnegative else out
