"""Rolling-origin backtest: the hold-out protocol repeated at several forecast origins.

Window ``w`` (1 = oldest, ``windows`` = most recent) holds out, from every series, the
``horizon`` points that start ``(windows - w) * step + horizon`` points before its end; the
model sees only the points before them. With ``refit=True`` (the default) every model is
refitted at every origin; with ``refit=False`` each is fitted once at the oldest origin and
then forecasts every later origin from the true history up to it (``predict(data=...)``),
which is how a deployed model that is not retrained would fare.

Covariates (``future_cols``/``past_cols``) work as in the holdout protocol: the data is read
with them, and each window's future-known values come from the data itself (the window's
held-out rows). Baselines ignore them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.reader import ReadOptions
from rnnforecast.data.splits import backtest_splits, check_train_length
from rnnforecast.errors import ConfigError
from rnnforecast.evaluation.intervals import interval_values, protocol_intervals
from rnnforecast.evaluation.protocols import (
    DEFAULT_MODELS,
    EvaluationResult,
    build_runs,
    check_forecaster_kwargs,
    check_options,
    protocol_covariates,
    resolve_models,
    score_forecasts,
)
from rnnforecast.forecaster.inputs import forecast_with_future

__all__ = ["backtest"]


def backtest(
    data: Any,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    read: ReadOptions,
    horizon: int,
    windows: int = 3,
    step: int | None = None,
    refit: bool = True,
    seeds: int = 1,
    season_length: int | None = None,
    lookback: int | None = None,
    **forecaster_kwargs: Any,
) -> EvaluationResult:
    """Score every model at ``windows`` rolling origins ``step`` points apart (default
    ``horizon``: windows that tile the end of each series without overlap); ``read``: how
    to read ``data``.

    The scores have one row per model, seed, window and series, with ``window`` (1 = oldest)
    and ``cutoff`` (the last training timestamp of that series); `summarise` averages over
    series and windows.
    """
    check_options(horizon, seeds, season_length, lookback)
    step = horizon if step is None else step
    for name, value in (("windows", windows), ("step", step)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{name}={value!r} is invalid: use an integer >= 1")
    names = resolve_models(models)
    check_forecaster_kwargs(forecaster_kwargs, ("model", "horizon", "seed", "lookback",
                                                "season_length"))
    frame = read.read(data, covariates=protocol_covariates(forecaster_kwargs))
    deep = any(m not in _baseline_names() for m in names)
    need = horizon + 2 if deep else 2
    check_train_length(frame, horizon, need + horizon + (windows - 1) * step, held_out=True)
    splits = backtest_splits(frame, horizon, windows, step)
    runs = build_runs(names, horizon, seeds, season_length, lookback, forecaster_kwargs)
    scores, forecasts, fitted = [], [], {}
    for name, seed, build in runs:
        model = None
        for w, (train, test) in enumerate(splits, start=1):
            start = time.process_time()
            if refit or model is None:
                model = build()
                fc = forecast_with_future(model.fit(train), test)
                fc = protocol_intervals(name, build, train, fc, horizon=horizon,
                                        season_length=season_length, options=forecaster_kwargs)
            else:
                fc = forecast_with_future(model, test, data=train)
            seconds = time.process_time() - start
            if seed == 0 and w == len(splits):
                fitted[name] = model
            long = pd.DataFrame({
                "model": name, "seed": seed, "unique_id": fc["unique_id"], "ds": fc["ds"],
                "forecast": fc[name].to_numpy(dtype=np.float64), **interval_values(fc, name),
            })
            window_scores = score_forecasts(long, train, test, season_length,
                                            {(name, seed): seconds})
            cutoffs = train.groupby("unique_id", sort=False)["ds"].last()
            window_scores.insert(2, "window", w)
            window_scores.insert(3, "cutoff", window_scores["unique_id"].map(cutoffs).astype(str))
            scores.append(window_scores)
            forecasts.append(long.assign(window=w))
    all_scores = pd.concat(scores, ignore_index=True)
    # fit_seconds: one fit of all series (mean over the windows where a fit happened)
    fits = all_scores.groupby(["model", "seed", "window"], sort=False)["fit_seconds"].first()
    per_fit = fits.groupby(level=[0, 1]).mean() if refit else fits.groupby(level=[0, 1]).sum()
    all_scores["fit_seconds"] = [per_fit[m, s] for m, s in
                                 zip(all_scores["model"], all_scores["seed"], strict=True)]
    last_train, last_test = splits[-1]
    notes = {"windows": windows, "step": step, "refit": refit,
             "train_points": len(last_train), "test_points": sum(len(t) for _, t in splits)}
    return EvaluationResult("backtest", horizon, all_scores,
                            pd.concat(forecasts, ignore_index=True), last_train, last_test,
                            fitted, notes)


def _baseline_names() -> tuple[str, ...]:
    from rnnforecast.baselines import BASELINES

    return tuple(BASELINES)
