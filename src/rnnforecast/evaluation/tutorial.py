"""The classic tutorial measurement ("LSTM on the airline passengers"), reproduced honestly.

The tutorial lineage splits the ordered series 67% / 33% (``train_size = int(n * 0.67)``),
builds windows of ``look_back`` true past values inside each part separately, and scores
one-step-ahead predictions made from the true lagged values. Its window builder,
``for i in range(len(part) - look_back - 1)``, stops one window early (the "off-by-one"),
so the test targets are the points ``train_size + look_back .. n - 2``: on AirPassengers
(n = 144, look_back = 1) that is 46 test points, 1957-02..1960-11, and persistence ("repeat
last month") scores RMSE 48.66 passengers, scaled 0.0939 (= RMSE / 518, the max - min of the
whole series, as the tutorial's MinMax scaling of the whole series implies).

What is kept honest: each model is fitted on the training part only (its transforms see no
test value), and each one-step prediction gets only the history before its target. The
Forecaster is used as a direct one-step model (``strategy="direct", horizon=1``) and asked
``predict(horizon=1, data=<history up to the origin>)`` from every test origin, with the
training series' own id so that it keeps the transform fitted on the training part.
Persistence (naive one-step) and seasonal naive one-step are always reported beside it.

The test targets are always the tutorial's look_back = 1 points (46 on AirPassengers),
whatever lookback the network uses: the network may read true values from before the split
as inputs (past values, no leakage), and every lookback is then scored on the same points as
persistence's published 48.7. ``lookback`` defaults to the Forecaster's own default;
``lookback=1`` is the tutorial's setting.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.reader import ReadOptions
from rnnforecast.data.seasons import series_season
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.evaluation.protocols import (
    DEFAULT_MODELS,
    EvaluationResult,
    build_runs,
    check_forecaster_kwargs,
    check_options,
    deep_models,
    resolve_models,
)
from rnnforecast.evaluation.summary import PERSISTENCE, score_series
from rnnforecast.io.timestamps import format_ds

__all__ = ["TRAIN_FRACTION", "run_tutorial", "tutorial", "tutorial_split"]

TRAIN_FRACTION = 0.67
#: the tutorial's look_back when none is given
TUTORIAL_LOOKBACK = 1


def tutorial_split(n: int, lookback: int) -> tuple[int, np.ndarray]:
    """The tutorial's split of ``n`` points: the training size ``int(n * 0.67)`` and the
    positions of the one-step test targets, ``train_size + lookback .. n - 2`` (inclusive;
    the tutorial's off-by-one never predicts the last point)."""
    train_size = int(n * TRAIN_FRACTION)
    return train_size, np.arange(train_size + lookback, n - 1, dtype=np.int64)


def tutorial(
    data: Any,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    horizon: int | None = None,
    seeds: int = 1,
    season_length: int | None = None,
    lookback: int | None = None,
    time_col: str | None = None,
    value_col: str | None = None,
    id_col: str | None = None,
    **forecaster_kwargs: Any,
) -> EvaluationResult:
    """One-step-ahead scores on the tutorial's 67/33 split of a single series.

    ``lookback`` defaults to the Forecaster's default (the tutorial used 1); the test points
    are the tutorial's look_back = 1 points whatever the lookback. ``naive`` is reported as
    ``persistence`` (always included); the scores add ``scaled_rmse`` = RMSE / (max - min
    of the series).
    """
    read = ReadOptions(time_col, value_col, id_col, forecaster_kwargs.get("fill"))
    return run_tutorial(data, models, read=read, horizon=horizon, seeds=seeds,
                        season_length=season_length, lookback=lookback, **forecaster_kwargs)


def run_tutorial(
    data: Any,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    read: ReadOptions,
    horizon: int | None = None,
    seeds: int = 1,
    season_length: int | None = None,
    lookback: int | None = None,
    **forecaster_kwargs: Any,
) -> EvaluationResult:
    """`tutorial` with the data's reading options as one `ReadOptions`."""
    _check(horizon, seeds, season_length, lookback)
    look = None if lookback is None else int(lookback)
    names = [PERSISTENCE if m == "naive" else m for m in resolve_models(models)]
    if PERSISTENCE not in names:
        names.insert(1 if names[0] in deep_models() else 0, PERSISTENCE)
    kwargs = {k: v for k, v in forecaster_kwargs.items() if k != "strategy"}
    check_forecaster_kwargs(kwargs, ("model", "horizon", "seed", "lookback", "season_length"))
    frame = read.read(data)
    uid = _single_series(frame)
    y = frame["y"].to_numpy(dtype=np.float64)
    n = len(y)
    train_size, targets = tutorial_split(n, TUTORIAL_LOOKBACK)
    if targets.size == 0 or train_size < 3:
        raise DataError(
            f"series '{uid}' has {n} points: the tutorial's 67/33 split leaves no test "
            "target; use more data"
        )
    train = frame.iloc[:train_size].reset_index(drop=True)
    test = frame.iloc[targets].reset_index(drop=True)
    _, season = series_season(frame, uid, season_length)
    origins = [frame.iloc[:t].reset_index(drop=True) for t in targets]
    runs = build_runs(names, 1, seeds, season_length, look, dict(kwargs, strategy="direct"),
                      aliases={PERSISTENCE: "naive"})
    fitted: dict[str, Any] = {}
    parts, rows = [], []
    span = float(np.max(y) - np.min(y))
    for name, seed, build in runs:
        model = build()
        start = time.process_time()
        model.fit(train)
        seconds = time.process_time() - start
        column = "naive" if name == PERSISTENCE else name
        preds = np.array([float(model.predict(horizon=1, data=h)[column].iloc[0])
                          for h in origins])
        if seed == 0:
            fitted[name] = model
            if look is None and hasattr(model, "lookback_"):
                look = int(model.lookback_)
        parts.append(pd.DataFrame({"model": name, "seed": seed, "unique_id": uid,
                                   "ds": test["ds"], "forecast": preds}))
        row: dict[str, Any] = {"model": name, "seed": seed, "unique_id": uid}
        row.update(score_series(y[targets], preds, y[:train_size], season))
        row["scaled_rmse"] = row["rmse"] / span if span > 0 else float("nan")
        row["fit_seconds"] = seconds
        rows.append(row)
    notes = {
        "train_points": train_size,
        "test_points": int(targets.size),
        "lookback": look,
        "train_span": _span(train),
        "test_span": _span(test),
        "series_range": span,
        "unpredicted_last_point": format_ds(frame["ds"].iloc[-1]),
    }
    return EvaluationResult("tutorial", 1, pd.DataFrame(rows),
                            pd.concat(parts, ignore_index=True), train, test, fitted, notes)


def _check(horizon: Any, seeds: Any, season_length: Any, lookback: Any) -> None:
    if horizon is not None and horizon != 1:
        raise ConfigError(
            f"horizon={horizon!r} is invalid for the tutorial protocol, which forecasts one "
            "step ahead: use horizon 1 or leave it out"
        )
    check_options(1, seeds, season_length, lookback)


def _single_series(frame: pd.DataFrame) -> str:
    """The id of the one series the tutorial protocol measures (a `DataError` otherwise)."""
    ids = list(dict.fromkeys(frame["unique_id"]))
    if len(ids) != 1:
        raise DataError(
            f"the tutorial protocol measures one series, the data has {len(ids)} "
            f"({', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''}); keep one series or use "
            "the holdout protocol"
        )
    return ids[0]  # type: ignore[no-any-return]


def _span(part: pd.DataFrame) -> tuple[str, str]:
    return format_ds(part["ds"].iloc[0]), format_ds(part["ds"].iloc[-1])
