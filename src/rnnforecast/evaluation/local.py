"""One protocol by name, run in this process: the switch the command line, `run_protocol`
and every Dask worker (`rnnforecast.evaluation.dask_backend`) go through."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rnnforecast.data.reader import ReadOptions
from rnnforecast.errors import ConfigError
from rnnforecast.evaluation.backtest import backtest
from rnnforecast.evaluation.holdout import run_holdout
from rnnforecast.evaluation.protocols import (
    DEFAULT_MODELS,
    PROTOCOLS,
    DataLike,
    EvaluationResult,
    uses_covariates,
)
from rnnforecast.evaluation.tutorial import run_tutorial

__all__ = ["run_local"]


def run_local(
    data: DataLike,
    models: str | Iterable[str] = DEFAULT_MODELS,
    *,
    read: ReadOptions,
    horizon: int | None = None,
    protocol: str = "holdout",
    seeds: int = 1,
    season_length: int | None = None,
    test: DataLike | None = None,
    lookback: int | None = None,
    windows: int = 3,
    step: int | None = None,
    refit: bool = True,
    **forecaster_kwargs: Any,
) -> EvaluationResult:
    """Run one protocol in this process (see `rnnforecast.evaluation.run.run_protocol`);
    ``read``: how to read ``data`` and ``test``."""
    if protocol == "holdout":
        if horizon is None:
            raise ConfigError("the holdout protocol needs a horizon: give horizon= (--horizon)")
        return run_holdout(data, models, read=read, horizon=horizon, seeds=seeds,
                           season_length=season_length, test=test, lookback=lookback,
                           **forecaster_kwargs)
    if protocol == "backtest":
        if test is not None:
            raise ConfigError("the backtest protocol holds out its own windows: drop test=")
        if horizon is None:
            raise ConfigError("the backtest protocol needs a horizon: give horizon= (--horizon)")
        return backtest(data, models, read=read, horizon=horizon, windows=windows, step=step,
                        refit=refit, seeds=seeds, season_length=season_length,
                        lookback=lookback, **forecaster_kwargs)
    if protocol == "tutorial":
        if test is not None:
            raise ConfigError("the tutorial protocol splits the data 67/33 itself: drop test=")
        if uses_covariates(forecaster_kwargs):
            raise ConfigError(
                "the tutorial protocol cannot use covariates (future_cols, past_cols): use "
                "the holdout or backtest protocol"
            )
        return run_tutorial(data, models, read=read, horizon=horizon, seeds=seeds,
                            season_length=season_length, lookback=lookback,
                            **forecaster_kwargs)
    raise ConfigError(f"unknown protocol '{protocol}': use one of {', '.join(PROTOCOLS)}")
