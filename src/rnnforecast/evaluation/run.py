"""`run_protocol` and `evaluate`: one protocol by name, in this process
(`rnnforecast.evaluation.local`) or with the per-series work partitioned on Dask
(`rnnforecast.evaluation.dask_backend`). The dispatch is one way: neither of those comes
back here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from rnnforecast.data.reader import ReadOptions
from rnnforecast.errors import ConfigError
from rnnforecast.evaluation.local import run_local
from rnnforecast.evaluation.protocols import (
    DEFAULT_MODELS,
    DataLike,
    EvaluationResult,
    uses_covariates,
)

__all__ = ["evaluate", "run_protocol", "run_read"]


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
    `rnnforecast.evaluation.dask_backend`."""
    read = ReadOptions(time_col, value_col, id_col, forecaster_kwargs.get("fill"))
    return run_read(data, models, read=read, backend=backend, scheduler=scheduler,
                    horizon=horizon, protocol=protocol, seeds=seeds,
                    season_length=season_length, test=test, lookback=lookback,
                    windows=windows, step=step, refit=refit, **forecaster_kwargs)


def run_read(
    data: DataLike,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    read: ReadOptions,
    backend: str = "local",
    scheduler: str | None = None,
    **options: Any,
) -> EvaluationResult:
    """`run_protocol` with the data's reading options as one `ReadOptions` (what the
    command line calls); ``options``: `run_protocol`'s other arguments (``horizon``,
    ``protocol``...) and the `Forecaster` keyword arguments."""
    if uses_covariates(options) and (backend != "local" or scheduler is not None):
        raise ConfigError(
            f"covariates (future_cols, past_cols) cannot be evaluated on the {backend} backend "
            "yet: use backend='local' (drop --backend/--scheduler)"
        )
    if backend != "local" or scheduler is not None:
        from rnnforecast.evaluation.dask_backend import evaluate_on_backend

        return evaluate_on_backend(backend, scheduler, data, models, read=read, **options)
    return run_local(data, models, read=read, **options)


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
    read = ReadOptions(time_col, value_col, id_col, forecaster_kwargs.get("fill"))
    return run_read(data, models, read=read, backend=backend, scheduler=scheduler,
                    horizon=horizon, protocol=protocol, seeds=seeds,
                    season_length=season_length, test=test, lookback=lookback,
                    windows=windows, step=step, refit=refit, **forecaster_kwargs).scores
