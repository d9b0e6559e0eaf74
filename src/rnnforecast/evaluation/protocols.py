"""Evaluation protocols: every model on the same hold-out, with the same metrics.

``holdout``: each series' last ``horizon`` points (or a separate test set that continues the
training data exactly) are forecast in one go from the end of the training part.
``tutorial``: the classic one-step-ahead measurement (see `rnnforecast.evaluation.tutorial`).
``backtest``: the hold-out repeated at rolling origins (see `rnnforecast.evaluation.backtest`).

Seasonal naive is always added to the models (automatic honesty). Deep models are fitted
``seeds`` times with seeds ``0 .. seeds - 1``; baselines, which are deterministic, once (seed
0). MASE is always scaled by the training part's seasonal naive MAE.

Covariates (``future_cols``/``past_cols`` among the Forecaster keywords) are read with the
data and kept in the training part; the networks forecast with the hold-out rows' future
columns (``predict(future=...)``), and the baselines ignore every covariate column. The
holdout and backtest protocols take covariates; the tutorial protocol and the Dask backend
refuse them.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.baselines import BASELINES
from rnnforecast.baselines.classical import Classical
from rnnforecast.data.covariates import CALENDAR
from rnnforecast.data.reader import read_series
from rnnforecast.errors import ConfigError
from rnnforecast.evaluation.splits import (
    check_train_length,
    read_test,
    series_season,
    split_last,
)
from rnnforecast.evaluation.summary import SEASONAL_NAIVE, score_series, summarise
from rnnforecast.inputs import covariate_columns, forecast_with_future
from rnnforecast.intervals import (
    interval_arrays,
    interval_values,
    protocol_intervals,
    wide_intervals,
)

__all__ = [
    "DEFAULT_MODELS",
    "PROTOCOLS",
    "EvaluationResult",
    "evaluate",
    "holdout",
    "resolve_models",
    "run_protocol",
]

PROTOCOLS = ("holdout", "tutorial", "backtest")
#: protocols announced for a later release: accepted names that explain they are not ready
PLANNED_PROTOCOLS: tuple[str, ...] = ()
DEFAULT_MODELS = ("lstm", "naive", "seasonal_naive")
DataLike = Any  # anything `read_series` accepts


@dataclass
class EvaluationResult:
    """What a protocol produced: the tidy ``scores`` (one row per model, seed and series),
    the ``forecasts`` (long: ``model, seed, unique_id, ds, forecast``), the ``train`` and
    ``test`` frames actually used, the fitted objects of seed 0 by model name, and
    protocol-specific facts in ``notes``."""

    protocol: str
    horizon: int
    scores: pd.DataFrame
    forecasts: pd.DataFrame
    train: pd.DataFrame
    test: pd.DataFrame
    fitted: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """`summarise` of the scores: one row per model."""
        return summarise(self.scores)

    def forecast_frame(self, seed: int = 0) -> pd.DataFrame:
        """Wide forecasts of one seed beside the actual values: ``unique_id, ds, y,
        <model>...`` (baselines, fitted once, appear with every seed)."""
        fc = self.forecasts
        chosen = fc[(fc["seed"] == seed) | ~fc["model"].isin(deep_models())]
        wide = chosen.pivot_table(index=["unique_id", "ds"], columns="model",
                                  values="forecast", sort=False)
        models = [m for m in dict.fromkeys(chosen["model"]) if m in wide.columns]
        wide = wide[models].reset_index()
        wide.columns.name = None
        bounds = wide_intervals(chosen)  # <model>-lo-80 ... of the models with intervals
        if bounds is not None:
            wide = wide.merge(bounds, on=["unique_id", "ds"], how="left")
        out = self.test[["unique_id", "ds", "y"]].merge(wide, on=["unique_id", "ds"], how="left")
        return out.reset_index(drop=True)


# --------------------------------------------------------------------------- models


def deep_models() -> tuple[str, ...]:
    """The recurrent models' names (`rnnforecast.forecaster.MODELS`)."""
    from rnnforecast.forecaster import MODELS

    return MODELS


def resolve_models(models: str | Iterable[str]) -> list[str]:
    """Model names from a list or a comma-separated string: lower-cased, de-duplicated, each
    one a network (`rnnforecast.forecaster.MODELS`) or a baseline (`BASELINES`); seasonal
    naive is appended when missing."""
    names = models.split(",") if isinstance(models, str) else list(models)
    out: list[str] = []
    known = (*deep_models(), *BASELINES)
    for raw in names:
        name = str(raw).strip().lower()
        if not name:
            continue
        if name not in known:
            raise ConfigError(
                f"unknown model '{name}': use any of {', '.join(known)} (comma-separated)"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise ConfigError(f"no model given: use any of {', '.join(known)}")
    if SEASONAL_NAIVE not in out:
        out.append(SEASONAL_NAIVE)
    return out


def check_forecaster_kwargs(kwargs: dict[str, Any], reserved: Iterable[str]) -> None:
    """Refuse keyword arguments that `Forecaster` does not take, or that the protocol sets."""
    from rnnforecast.forecaster import Forecaster

    accepted = set(inspect.signature(Forecaster.__init__).parameters) - {"self"}
    for key in kwargs:
        if key in reserved:
            raise ConfigError(
                f"{key}= is set by the evaluation protocol and cannot be passed through"
            )
        if key not in accepted:
            raise ConfigError(
                f"unknown Forecaster option '{key}': use any of {', '.join(sorted(accepted))}"
            )


def check_options(horizon: Any, seeds: Any, season_length: Any, lookback: Any) -> None:
    """`ConfigError` naming the first option that is not a valid integer."""
    def is_int(v: Any) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    if not is_int(horizon) or horizon < 1:
        raise ConfigError(f"horizon={horizon!r} is invalid: use an integer >= 1")
    if not is_int(seeds) or seeds < 1:
        raise ConfigError(f"seeds={seeds!r} is invalid: use an integer >= 1")
    if season_length is not None and (not is_int(season_length) or season_length < 1):
        raise ConfigError(f"season_length={season_length!r} is invalid: use an integer >= 1")
    if lookback is not None and (not is_int(lookback) or lookback < 1):
        raise ConfigError(f"lookback={lookback!r} is invalid: use an integer >= 1")


def warm_statsforecast() -> None:
    """Import statsforecast before a timed fit (about 1.3 s CPU the first time)."""
    import statsforecast.models  # noqa: F401


def warm_torch() -> None:
    """Import torch before a timed fit, so that ``fit_seconds`` measures fitting."""
    import torch

    _ = torch.zeros(1)


# ----------------------------------------------------------------------- covariates


def protocol_covariates(forecaster_kwargs: dict[str, Any]) -> list[str]:
    """The covariate columns to read with the data (the calendar is computed, not read)."""
    for name in ("future_cols", "past_cols"):
        cols = forecaster_kwargs.get(name)
        if isinstance(cols, str):  # the Forecaster's own check, before the data is read
            raise ConfigError(f"{name}={cols!r} is invalid: use a list of column names")
    return covariate_columns(forecaster_kwargs.get("future_cols"),
                             forecaster_kwargs.get("past_cols"))


def future_columns(forecaster_kwargs: dict[str, Any]) -> list[str]:
    """The future-known columns a hold-out must carry (``future_cols`` minus "calendar")."""
    return [c for c in forecaster_kwargs.get("future_cols") or () if c != CALENDAR]


def uses_covariates(forecaster_kwargs: dict[str, Any]) -> bool:
    return bool(forecaster_kwargs.get("future_cols") or forecaster_kwargs.get("past_cols"))


# -------------------------------------------------------------------------- holdout


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
    check_options(horizon, seeds, season_length, lookback)
    names = resolve_models(models)
    check_forecaster_kwargs(forecaster_kwargs, ("model", "horizon", "seed", "lookback",
                                                "season_length"))
    read = {"time_col": time_col, "value_col": value_col, "id_col": id_col}
    frame = read_series(data, fill=forecaster_kwargs.get("fill"),
                        covariates=protocol_covariates(forecaster_kwargs), **read)
    deep = [m for m in names if m in deep_models()]
    need = horizon + 2 if deep else 2
    if test is None:
        train, test_frame = split_last(frame, horizon, need)
    else:
        train = frame
        future = future_columns(forecaster_kwargs) if deep else []
        test_frame = read_test(test, train, horizon, covariates=future, **read)
        check_train_length(train, horizon, need, held_out=False)
    return _fit_and_score(train, test_frame, names, horizon, seeds, season_length, lookback,
                          forecaster_kwargs)


def build_runs(
    names: list[str],
    horizon: int,
    seeds: int,
    season_length: int | None,
    lookback: int | None,
    forecaster_kwargs: dict[str, Any],
) -> list[tuple[str, int, Any]]:
    """(name, seed, factory) for every model fit: networks once per seed, baselines once."""
    from rnnforecast.baselines import make_baseline

    deep = deep_models()
    fill = forecaster_kwargs.get("fill")
    runs: list[tuple[str, int, Any]] = []
    for name in names:
        if name in deep:
            from rnnforecast.forecaster import Forecaster

            warm_torch()
            for seed in range(seeds):
                runs.append((name, seed, lambda n=name, s=seed: Forecaster(
                    n, horizon=horizon, seed=s, lookback=lookback, season_length=season_length,
                    **forecaster_kwargs)))
        else:
            if issubclass(BASELINES[name], Classical):
                warm_statsforecast()
            runs.append((name, 0, lambda n=name: make_baseline(n, horizon, season_length,
                                                               fill=fill)))
    return runs


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


def score_forecasts(
    forecasts: pd.DataFrame,
    train: pd.DataFrame,
    test: pd.DataFrame,
    season_length: int | None,
    timings: dict[tuple[str, int], float],
) -> pd.DataFrame:
    """Score long forecasts (``model, seed, unique_id, ds, forecast``) against ``test``: one
    row per model, seed and series; MASE scaled on each series' training part."""
    train_y = {str(u): g for u, g in train.groupby("unique_id", sort=False)}
    seasons = {u: series_season(g, u, season_length)[1] for u, g in train_y.items()}
    merged = test[["unique_id", "ds", "y"]].merge(
        forecasts, on=["unique_id", "ds"], how="inner", validate="one_to_many")
    n_test = test.groupby("unique_id", sort=False).size()
    rows = []
    for (name, seed, uid), g in merged.groupby(["model", "seed", "unique_id"], sort=False):
        if len(g) != int(n_test[uid]) or g["forecast"].isna().any():
            raise RuntimeError(f"{name} did not forecast every test point of series '{uid}'")
        y_train = train_y[str(uid)]["y"].to_numpy(dtype=np.float64)
        row: dict[str, Any] = {"model": name, "seed": int(seed), "unique_id": str(uid)}
        row.update(score_series(g["y"].to_numpy(), g["forecast"].to_numpy(), y_train,
                                seasons[str(uid)], interval_arrays(g)))
        row["fit_seconds"] = float(timings.get((str(name), int(seed)), 0.0))
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ dispatcher


def run_protocol(
    data: DataLike,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    horizon: int | None = None,
    protocol: str = "holdout",
    seeds: int = 1,
    season_length: int | None = None,
    test: DataLike | None = None,
    lookback: int | None = None,
    windows: int = 3,
    step: int | None = None,
    refit: bool = True,
    time_col: str | None = None,
    value_col: str | None = None,
    id_col: str | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    **forecaster_kwargs: Any,
) -> EvaluationResult:
    """Run one protocol and keep everything it produced (see `EvaluationResult`).

    ``backend="dask"`` partitions the per-series work by series on Dask (the scheduler at
    ``scheduler``, or a LocalCluster started for the run) with identical results; see
    `rnnforecast.scale.dask_backend`."""
    read = {"time_col": time_col, "value_col": value_col, "id_col": id_col}
    if uses_covariates(forecaster_kwargs) and (backend != "local" or scheduler is not None):
        raise ConfigError(
            f"covariates (future_cols, past_cols) cannot be evaluated on the {backend} backend "
            "yet: use backend='local' (drop --backend/--scheduler)"
        )
    if backend != "local" or scheduler is not None:
        from rnnforecast.scale.dask_backend import evaluate_on_backend

        return evaluate_on_backend(
            backend, scheduler, data, models, protocol=protocol, horizon=horizon, seeds=seeds,
            season_length=season_length, test=test, lookback=lookback, windows=windows,
            step=step, refit=refit, **read, **forecaster_kwargs)
    if protocol in PLANNED_PROTOCOLS:
        raise ConfigError(
            f"protocol '{protocol}' is not available yet (it comes in a later release): "
            f"use one of {', '.join(PROTOCOLS)}"
        )
    if protocol == "holdout":
        if horizon is None:
            raise ConfigError("the holdout protocol needs a horizon: give horizon= (--horizon)")
        return holdout(data, models, horizon=horizon, seeds=seeds, season_length=season_length,
                       test=test, lookback=lookback, **read, **forecaster_kwargs)
    if protocol == "backtest":
        from rnnforecast.evaluation.backtest import backtest

        if test is not None:
            raise ConfigError("the backtest protocol holds out its own windows: drop test=")
        if horizon is None:
            raise ConfigError("the backtest protocol needs a horizon: give horizon= (--horizon)")
        return backtest(data, models, horizon=horizon, windows=windows, step=step, refit=refit,
                        seeds=seeds, season_length=season_length, lookback=lookback, **read,
                        **forecaster_kwargs)
    if protocol == "tutorial":
        from rnnforecast.evaluation.tutorial import tutorial

        if test is not None:
            raise ConfigError("the tutorial protocol splits the data 67/33 itself: drop test=")
        if uses_covariates(forecaster_kwargs):
            raise ConfigError(
                "the tutorial protocol cannot use covariates (future_cols, past_cols): use "
                "the holdout or backtest protocol"
            )
        return tutorial(data, models, horizon=horizon, seeds=seeds,
                        season_length=season_length, lookback=lookback, **read,
                        **forecaster_kwargs)
    raise ConfigError(f"unknown protocol '{protocol}': use one of {', '.join(PROTOCOLS)}")


def evaluate(
    data: DataLike,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    horizon: int | None = None,
    protocol: str = "holdout",
    seeds: int = 1,
    season_length: int | None = None,
    test: DataLike | None = None,
    lookback: int | None = None,
    windows: int = 3,
    step: int | None = None,
    refit: bool = True,
    time_col: str | None = None,
    value_col: str | None = None,
    id_col: str | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    **forecaster_kwargs: Any,
) -> pd.DataFrame:
    """Score ``models`` on ``data`` with a protocol; one row per (model, seed, unique_id).

    Columns: ``model, seed, unique_id, rmse, mae, mape, smape, mase`` (the tutorial protocol
    adds ``scaled_rmse``) and ``fit_seconds`` (CPU seconds of the fit of all series by that
    model and seed). Aggregate with `summarise`. ``forecaster_kwargs`` go to every
    `Forecaster` (for example ``epochs=50``, ``ensemble=1``, ``fill="interpolate"``).
    """
    return run_protocol(data, models, horizon=horizon, protocol=protocol, seeds=seeds,
                        season_length=season_length, test=test, lookback=lookback,
                        windows=windows, step=step, refit=refit, backend=backend,
                        scheduler=scheduler,
                        time_col=time_col, value_col=value_col, id_col=id_col,
                        **forecaster_kwargs).scores

