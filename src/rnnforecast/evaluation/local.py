"""One protocol by name, run in this process: the switch the command line, `run_protocol`
and every Dask worker (`rnnforecast.evaluation.dask_backend`) go through."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rnnforecast.errors import ConfigError
from rnnforecast.evaluation.backtest import backtest
from rnnforecast.evaluation.holdout import holdout
from rnnforecast.evaluation.protocols import (
    DEFAULT_MODELS,
    PROTOCOLS,
    DataLike,
    EvaluationResult,
    uses_covariates,
)
from rnnforecast.evaluation.tutorial import tutorial

__all__ = ["run_local"]


def run_local(
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
    **forecaster_kwargs: Any,
) -> EvaluationResult:
    """Run one protocol in this process (see `rnnforecast.evaluation.run.run_protocol`)."""
    read = {"time_col": time_col, "value_col": value_col, "id_col": id_col}
    if protocol == "holdout":
        if horizon is None:
            raise ConfigError("the holdout protocol needs a horizon: give horizon= (--horizon)")
        return holdout(data, models, horizon=horizon, seeds=seeds, season_length=season_length,
                       test=test, lookback=lookback, **read, **forecaster_kwargs)
    if protocol == "backtest":
        if test is not None:
            raise ConfigError("the backtest protocol holds out its own windows: drop test=")
        if horizon is None:
            raise ConfigError("the backtest protocol needs a horizon: give horizon= (--horizon)")
        return backtest(data, models, horizon=horizon, windows=windows, step=step, refit=refit,
                        seeds=seeds, season_length=season_length, lookback=lookback, **read,
                        **forecaster_kwargs)
    if protocol == "tutorial":
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
