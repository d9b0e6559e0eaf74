"""What every evaluation protocol shares: the result, the model names, the option checks,
the runs (one factory per model fit) and the scoring.

The protocols: ``holdout`` (`rnnforecast.evaluation.holdout`): each series' last ``horizon``
points (or a separate test set that continues the training data exactly) are forecast in one
go from the end of the training part; ``tutorial`` (`rnnforecast.evaluation.tutorial`): the
classic one-step-ahead measurement; ``backtest`` (`rnnforecast.evaluation.backtest`): the
hold-out repeated at rolling origins. `rnnforecast.evaluation.run.run_protocol` runs one by
name, in this process or partitioned on Dask.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.baselines import BASELINES
from rnnforecast.baselines.classical import Classical
from rnnforecast.combination import COMBINATIONS
from rnnforecast.data.covariates import CALENDAR
from rnnforecast.data.seasons import series_season
from rnnforecast.errors import ConfigError
from rnnforecast.evaluation.intervals import interval_arrays, wide_intervals
from rnnforecast.evaluation.summary import SEASONAL_NAIVE, score_series, summarise
from rnnforecast.forecaster.inputs import covariate_columns

__all__ = [
    "DEFAULT_MODELS",
    "PROTOCOLS",
    "EvaluationResult",
    "build_runs",
    "check_forecaster_kwargs",
    "check_options",
    "deep_models",
    "resolve_models",
    "score_forecasts",
]

PROTOCOLS = ("holdout", "tutorial", "backtest")
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
    """The models fitted once per seed: the networks (`rnnforecast.forecaster.MODELS`) and
    the combinations that hold one (`rnnforecast.combination.COMBINATIONS`)."""
    from rnnforecast.combination import COMBINATIONS
    from rnnforecast.forecaster import MODELS

    return (*MODELS, *COMBINATIONS)


def resolve_models(models: str | Iterable[str]) -> list[str]:
    """Model names from a list or a comma-separated string: lower-cased, de-duplicated, each
    one a network (`rnnforecast.forecaster.MODELS`), a combination or a baseline
    (`BASELINES`); seasonal
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


# ------------------------------------------------------------------------- runs


def build_runs(
    names: list[str],
    horizon: int,
    seeds: int,
    season_length: int | None,
    lookback: int | None,
    forecaster_kwargs: dict[str, Any],
    aliases: Mapping[str, str] | None = None,
) -> list[tuple[str, int, Any]]:
    """(name, seed, factory) for every model fit: networks once per seed, baselines once.
    ``aliases``: names reported for a baseline (the tutorial's "persistence" is "naive")."""
    from rnnforecast.baselines import make_baseline

    deep = deep_models()
    fill = forecaster_kwargs.get("fill")
    runs: list[tuple[str, int, Any]] = []
    for name in names:
        if name in COMBINATIONS:
            warm_torch()
            warm_statsforecast()
            for seed in range(seeds):
                runs.append((name, seed, lambda n=name, s=seed: COMBINATIONS[n](
                    horizon, season_length, seed=s, lookback=lookback, **forecaster_kwargs)))
        elif name in deep:
            from rnnforecast.forecaster import Forecaster

            warm_torch()
            for seed in range(seeds):
                runs.append((name, seed, lambda n=name, s=seed: Forecaster(
                    n, horizon=horizon, seed=s, lookback=lookback, season_length=season_length,
                    **forecaster_kwargs)))
        else:
            base = (aliases or {}).get(name, name)
            if issubclass(BASELINES[base], Classical):
                warm_statsforecast()
            runs.append((name, 0, lambda b=base: make_baseline(b, horizon, season_length,
                                                               fill=fill)))
    return runs


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
