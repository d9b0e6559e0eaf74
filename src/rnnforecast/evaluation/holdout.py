"""The holdout protocol: each series' last ``horizon`` points (or a separate test set that
continues the training data exactly) are forecast in one go from the end of the training
part, by every model, and scored (`rnnforecast.evaluation.protocols`)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.reader import ReadOptions
from rnnforecast.data.splits import check_train_length, read_test, split_last
from rnnforecast.evaluation.intervals import interval_values, protocol_intervals
from rnnforecast.evaluation.protocols import (
    DEFAULT_MODELS,
    DataLike,
    EvaluationResult,
    build_runs,
    check_forecaster_kwargs,
    check_options,
    deep_models,
    future_columns,
    protocol_covariates,
    resolve_models,
    score_forecasts,
)
from rnnforecast.forecaster.inputs import forecast_with_future

__all__ = ["holdout", "run_holdout"]


def holdout(
    data: DataLike,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    horizon: int,
    seeds: int = 1,
    season_length: int | None = None,
    test: DataLike | None = None,
    lookback: int | None = None,
    time_col: str | None = None,
    value_col: str | None = None,
    id_col: str | None = None,
    **forecaster_kwargs: Any,
) -> EvaluationResult:
    """Fit every model on the training part and score its ``horizon``-step forecast.

    Without ``test`` the last ``horizon`` points of each series are held out; with ``test``
    (a path or a frame in any form `read_series` accepts) that is the hold-out, and it must
    hold the ``horizon`` points that follow each training series, for every series.

    With ``future_cols``/``past_cols`` the data is read with those columns; the networks
    forecast with the hold-out's future columns, so a ``test`` must carry them too
    ("calendar" needs none). Baselines ignore covariates.
    """
    read = ReadOptions(time_col, value_col, id_col, forecaster_kwargs.get("fill"))
    return run_holdout(data, models, read=read, horizon=horizon, seeds=seeds,
                       season_length=season_length, test=test, lookback=lookback,
                       **forecaster_kwargs)


def run_holdout(
    data: DataLike,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    read: ReadOptions,
    horizon: int,
    seeds: int = 1,
    season_length: int | None = None,
    test: DataLike | None = None,
    lookback: int | None = None,
    **forecaster_kwargs: Any,
) -> EvaluationResult:
    """`holdout` with the data's reading options as one `ReadOptions`."""
    check_options(horizon, seeds, season_length, lookback)
    names = resolve_models(models)
    check_forecaster_kwargs(forecaster_kwargs, ("model", "horizon", "seed", "lookback",
                                                "season_length"))
    frame = read.read(data, covariates=protocol_covariates(forecaster_kwargs))
    deep = [m for m in names if m in deep_models()]
    need = horizon + 2 if deep else 2
    if test is None:
        train, test_frame = split_last(frame, horizon, need)
    else:
        train = frame
        future = future_columns(forecaster_kwargs) if deep else []
        test_frame = read_test(test, train, horizon, read=read, covariates=future)
        check_train_length(train, horizon, need, held_out=False)
    return _fit_and_score(train, test_frame, names, horizon, seeds, season_length, lookback,
                          forecaster_kwargs)


def _fit_and_score(
    train: pd.DataFrame,
    test: pd.DataFrame,
    names: list[str],
    horizon: int,
    seeds: int,
    season_length: int | None,
    lookback: int | None,
    forecaster_kwargs: dict[str, Any],
) -> EvaluationResult:
    runs = build_runs(names, horizon, seeds, season_length, lookback, forecaster_kwargs)
    fitted: dict[str, Any] = {}
    forecasts = []
    timings: dict[tuple[str, int], float] = {}
    for name, seed, build in runs:
        model = build()
        # Timed through the forecast: baselines (statsforecast models above all) do their
        # work at predict time, so fit alone would flatter them.
        start = time.process_time()
        fc = forecast_with_future(model.fit(train), test)
        fc = protocol_intervals(name, build, train, fc, horizon=horizon,
                                season_length=season_length, options=forecaster_kwargs)
        timings[name, seed] = time.process_time() - start
        if seed == 0:
            fitted[name] = model
        forecasts.append(pd.DataFrame({
            "model": name, "seed": seed, "unique_id": fc["unique_id"], "ds": fc["ds"],
            "forecast": fc[name].to_numpy(dtype=np.float64), **interval_values(fc, name),
        }))
    long = pd.concat(forecasts, ignore_index=True)
    scores = score_forecasts(long, train, test, season_length, timings)
    return EvaluationResult("holdout", horizon, scores, long, train, test, fitted,
                            {"train_points": len(train), "test_points": len(test)})
