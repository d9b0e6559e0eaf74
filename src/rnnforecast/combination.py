"""``lstm_ets_theta``: the default LSTM combined with AutoETS and Theta, a model of its own.

Why a combination: the network and the classical models fail differently. Where the
network loses (trending yearly and quarterly series whose growth stops), it loses by bias:
it extrapolates the past growth harder than AutoETS and Theta do, and averaging with them
takes out much of that bias while keeping most of what the network gains elsewhere. The
weights are fixed, half the network and a quarter each for AutoETS and Theta. On three
validation origins of the competition and development data, that was never the worst of
four ways to combine them, and it was the best or within 1% of the best on eight of ten
file-origin pairs. The median of the three follows the classical pair wherever both are wrong
together. (BENCHMARKS.md, "The combination model `lstm_ets_theta`".) Nothing is chosen per
series or per dataset.

The combination never replaces ``lstm``: it is reported beside it, under its own name. A
series that statsforecast cannot fit (too short) or on which a classical model produces a
non-finite forecast is combined from the models that did forecast it, their weights
renormalised. Point forecasts only: prediction intervals come from the evaluation protocol's
split conformal (``conformal=True``), as for any baseline.

Its model file is the network's, plus the weights and every series' training values: the
network forecasts from its stored tails, but AutoETS and Theta need the whole series, and they
refit on it when they forecast (as they did after ``fit``). `load_model_file` reads either kind
of file, which is what the command line's predict, plot and info do.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from rnnforecast.baselines.classical import AutoETS, Classical, Theta
from rnnforecast.baselines.simple import make_baseline
from rnnforecast.errors import ConfigError, ModelFileError
from rnnforecast.forecaster import Forecaster
from rnnforecast.forecaster.modelfile import COMBINATION_KEY, read_model, save_model

__all__ = ["COMBINATIONS", "LstmEtsTheta", "load_model_file"]

#: the network options the combination itself sets, or that make no sense for a point
#: forecast combined after the fact
_RESERVED = ("model", "horizon", "seed", "lookback", "season_length")
_INTERVAL_KEYS = ("levels", "conformal")


class LstmEtsTheta:
    """``0.5 lstm + 0.25 AutoETS + 0.25 Theta``, step by step, per series.

    ``forecaster_kwargs`` go to the network (`rnnforecast.Forecaster`), except the interval
    options, which the combination does not have. ``nonnegative`` (default ``None``: on for
    series whose values are all >= 0) clips the combined forecast at 0, as the network does.
    """

    name: ClassVar[str] = "lstm_ets_theta"
    network: ClassVar[str] = "lstm"
    weights: ClassVar[dict[str, float]] = {"lstm": 0.5, AutoETS.name: 0.25, Theta.name: 0.25}
    classical: ClassVar[tuple[type[Classical], ...]] = (AutoETS, Theta)

    def __init__(
        self,
        horizon: int,
        season_length: int | None = None,
        *,
        seed: int = 0,
        lookback: int | None = None,
        **forecaster_kwargs: Any,
    ) -> None:
        for key in _RESERVED:
            if key in forecaster_kwargs:
                raise ConfigError(f"{key}= is set by {self.name} itself and cannot be passed")
        self.horizon = horizon
        self.season_length = season_length
        self.seed = seed
        self.lookback = lookback
        self.forecaster_kwargs = forecaster_kwargs

    def __repr__(self) -> str:
        return (f"LstmEtsTheta(horizon={self.horizon!r}, season_length={self.season_length!r}, "
                f"seed={self.seed!r})")

    @property
    def model(self) -> str:
        """The forecast column's name (a `Forecaster`'s ``model``)."""
        return self.name

    @property
    def future_cols(self) -> Any:
        """The network's future-known columns (read by the evaluation protocols)."""
        return self.forecaster_kwargs.get("future_cols")

    @property
    def fill(self) -> Any:
        """How missing values are filled when data are read (the network's ``fill``)."""
        return self.forecaster_kwargs.get("fill")

    def fit(self, data: Any) -> LstmEtsTheta:
        """Fit the network on ``data`` and keep it for the classical models, which are fitted
        when they forecast (as statsforecast's are)."""
        options = {k: v for k, v in self.forecaster_kwargs.items() if k not in _INTERVAL_KEYS}
        self.network_ = Forecaster(self.network, horizon=self.horizon, seed=self.seed,
                                   lookback=self.lookback, season_length=self.season_length,
                                   **options).fit(data)
        fill = self.forecaster_kwargs.get("fill")
        self.classical_ = {cls.name: make_baseline(cls.name, self.horizon, self.season_length,
                                                   fill=fill).fit(data)
                           for cls in self.classical}
        return self

    def predict(self, horizon: int | None = None, data: Any = None,
                future: Any = None) -> pd.DataFrame:
        """``unique_id, ds, lstm_ets_theta``: ``horizon`` steps after the training data, or
        after ``data`` when given (as `Forecaster.predict`)."""
        self._check_fitted()
        net = self.network_.predict(horizon, data, future)
        h = len(net) // max(net["unique_id"].nunique(), 1)
        key = ["unique_id", "ds"]
        parts = {self.network: net.set_index(key)[self.network]}
        for name, model in self.classical_.items():
            parts[name] = model.predict(h, data, unfit=True).set_index(key)[name]
        table = pd.concat(parts, axis=1)  # an outer join: a date one model lacks adds a row
        if len(table) != len(net):
            raise RuntimeError(f"{self.name}: the classical forecasts' dates do not match the "
                               "network's")
        table = table.reindex(pd.MultiIndex.from_frame(net[key]))
        values = table[list(self.weights)].to_numpy(dtype=np.float64)
        combined = weighted_mean(values, np.array(list(self.weights.values())))
        clip = self._clip_mask(net["unique_id"], data)
        combined = np.where(clip, np.maximum(combined, 0.0), combined)
        return pd.DataFrame({"unique_id": net["unique_id"].to_numpy(),
                             "ds": net["ds"].to_numpy(), self.name: combined})

    def history(self) -> pd.DataFrame:
        """The training data as kept (``unique_id, ds, y``, every point; the network alone
        keeps only its tails)."""
        self._check_fitted()
        return next(iter(self.classical_.values())).history()

    def formula(self, network: str | None = None) -> str:
        """The combination in words, ``0.5 lstm + 0.25 auto_ets + 0.25 theta`` (``network``:
        what to call the network instead)."""
        return " + ".join(f"{w:g} {network if name == self.network and network else name}"
                          for name, w in self.weights.items())

    def save(self, path: str | os.PathLike[str]) -> None:
        """One model file: the network's, with the weights and the training values that
        AutoETS and Theta refit on (`load_model_file` reads it)."""
        self._check_fitted()
        fields, values = next(iter(self.classical_.values())).stored_series()
        spec = {"name": self.name, "weights": dict(self.weights), "series": fields}
        save_model(self.network_, path, combination=spec, arrays={"values": values})

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, network: bool = True) -> LstmEtsTheta:
        """Read a file written by `save` (``network=False``: no torch, no forecasting; for a
        description, as `Forecaster.load`)."""
        model = load_model_file(path, network=network)
        if not isinstance(model, cls):
            raise ConfigError(f"{path} holds a single {model.model} network, not {cls.name}: "
                              "load it with Forecaster.load(path)")
        return model

    @classmethod
    def _from_file(cls, path: str | os.PathLike[str], network: Forecaster,
                   spec: dict[str, Any], arrays: dict[str, np.ndarray]) -> LstmEtsTheta:
        """The combination around a loaded network, its classical models restored."""
        try:
            if spec["name"] != cls.name or spec["weights"] != cls.weights:
                raise ValueError(f"combination {spec['name']} with weights {spec['weights']}")
            params = {k: v for k, v in network.get_params().items()
                      if k not in (*_RESERVED, *_INTERVAL_KEYS)}
            model = cls(network.horizon, network.season_length, seed=network.seed,
                        lookback=network.lookback, **params)
            model.network_ = network
            model.classical_ = {
                c.name: make_baseline(c.name, network.horizon, network.season_length,
                                      fill=network.fill).restore_series(spec["series"],
                                                                        arrays["values"])
                for c in cls.classical}
        except (KeyError, TypeError, ValueError, ConfigError) as exc:
            raise ModelFileError(f"{path}: the model file's combination is invalid ({exc})"
                                 ) from None
        return model

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise ConfigError(f"this {type(self).__name__} is not fitted yet: call fit(data) "
                              "first")

    def _clip_mask(self, ids: pd.Series, data: Any) -> np.ndarray:
        """Where the combined forecast is clipped at 0: where the network's own forecast is
        (each series state's ``nonnegative``, the network's rule and setting)."""
        states = (self.network_.series_ if data is None
                  else self.network_.predictor_.states_for(data))
        clip = {uid: state.nonnegative for uid, state in states.items()}
        return ids.astype(str).map(clip).fillna(False).to_numpy(dtype=bool)


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean of ``values`` (rows x models) over the non-NaN entries, the
    weights renormalised per row (the network's column is never NaN)."""
    present = ~np.isnan(values)
    w = np.where(present, weights, 0.0)
    return np.asarray(np.nansum(values * w, axis=1) / w.sum(axis=1), dtype=np.float64)


COMBINATIONS: dict[str, type[LstmEtsTheta]] = {LstmEtsTheta.name: LstmEtsTheta}


def load_model_file(path: str | os.PathLike[str], *,
                    network: bool = True) -> Forecaster | LstmEtsTheta:
    """The model in ``path``, a single network or a combination, read once."""
    forecaster, meta, arrays = read_model(Forecaster, path, network)
    spec = meta.get(COMBINATION_KEY)
    if spec is None:
        return forecaster
    name = spec.get("name") if isinstance(spec, dict) else None
    if name not in COMBINATIONS:
        raise ModelFileError(f"{path}: unknown combination {name!r} (written by a newer "
                             "rnnforecast?)")
    return COMBINATIONS[name]._from_file(path, forecaster, spec, arrays)
