"""The model file of a fitted `Forecaster`: JSON settings (parameters, fitted state, history,
conformal calibration) plus raw tensors, written atomically by `rnnforecast.io`. Loading
never executes code from the file. The format is unchanged since version 1.

A combination model (`rnnforecast.combination`) writes its network's file with a
``"combination"`` section and arrays named ``combination.*``; `load_model` refuses such a
file, so that no one forecasts with half of a combination unawares, and `read_model` gives the
combination its parts."""

from __future__ import annotations

import os
from typing import Any, TypeVar

import numpy as np

from rnnforecast._version import __version__
from rnnforecast.data.framing import MIN_LEVEL_SPAN
from rnnforecast.errors import ConfigError, ModelFileError
from rnnforecast.forecaster.conformal import Calibration
from rnnforecast.forecaster.network import build_net
from rnnforecast.forecaster.params import PARAM_NAMES, check_params, fitted_params
from rnnforecast.forecaster.state import SeriesState
from rnnforecast.io.jsonsafe import finite_or_none

__all__ = ["COMBINATION_KEY", "load_model", "read_model", "save_model"]

T = TypeVar("T")
COMBINATION_KEY = "combination"
_ARRAY_PREFIX = COMBINATION_KEY + "."
#: how the message of `load_model` says to read a combination (the CLI translates it)
LOAD_COMBINATION = "rnnforecast.combination.load_model_file(path)"


def save_model(f: Any, path: str | os.PathLike[str], *,
               combination: dict[str, Any] | None = None,
               arrays: dict[str, np.ndarray] | None = None) -> None:
    """Write the fitted model ``f`` to ``path`` (one file; atomic); a combination adds its
    JSON ``combination`` section and its ``arrays``."""
    from rnnforecast.io import write_model_file

    meta = {
        "library": "rnnforecast",
        "library_version": __version__,
        "params": f.get_params(),
        "fitted": {
            "freq": f.freq_,
            "season_length": f.season_length_,
            "lookback": f.lookback_,
            "level_span": f.level_span_,
            "settings": f.settings_,
            "series": [s.to_json() for s in f.series_.values()],
            "history": {k: [finite_or_none(v) for v in vals] for k, vals in f.history_.items()},
            "stop_reason": f.stop_reason_,
            "best_epoch": f.best_epoch_,
            "conformal": f.conformal_.to_json() if hasattr(f, "conformal_") else None,
        },
    }
    tensors = {k: v.detach().cpu().numpy() for k, v in f.net_.state_dict().items()}
    if combination is not None:
        meta[COMBINATION_KEY] = combination
        tensors.update({_ARRAY_PREFIX + k: v for k, v in (arrays or {}).items()})
    write_model_file(path, meta, tensors)


def load_model(cls: type[T], path: str | os.PathLike[str], network: bool = True) -> T:
    """The model of class ``cls`` (the `Forecaster`) written to ``path`` by `save_model`;
    a `ModelFileError` when the file is not one. ``network=False`` leaves the weights
    unread into a network (``net_`` None, torch not imported: a description of the model,
    such as ``rnnforecast info``, in a second less; the checksum is still verified)."""
    forecaster, meta, _ = read_model(cls, path, network)
    if COMBINATION_KEY in meta:
        spec = meta[COMBINATION_KEY]
        name = spec.get("name", "a combination") if isinstance(spec, dict) else "a combination"
        raise ConfigError(
            f"{path} holds the combination model {name}, not a single network (what "
            f"Forecaster.load reads and a warm start continues): load it with {LOAD_COMBINATION}")
    return forecaster


def read_model(cls: type[T], path: str | os.PathLike[str],
               network: bool = True) -> tuple[T, dict[str, Any], dict[str, np.ndarray]]:
    """The network of the model file ``path`` (as `load_model`, combination or not), the
    file's meta section and its combination arrays (names without the prefix)."""
    from rnnforecast.io import read_model_file

    meta, tensors = read_model_file(path)
    arrays = {k[len(_ARRAY_PREFIX):]: v for k, v in tensors.items()
              if k.startswith(_ARRAY_PREFIX)}
    tensors = {k: v for k, v in tensors.items() if not k.startswith(_ARRAY_PREFIX)}
    net = None
    try:
        if meta.get("library") != "rnnforecast":
            raise KeyError("library")
        params = {k: v for k, v in meta["params"].items() if k in PARAM_NAMES}
        params.setdefault("framing", "seasonal")  # format-1 files before framings
        params.setdefault("guard", False)  # files before the guard
        forecaster: Any = cls(**params)
        check_params(forecaster)
        _set_fitted(forecaster, meta["fitted"], params)
        if network:
            import torch

            out_size = int(forecaster.horizon) if forecaster.strategy == "direct" else 1
            net = build_net(forecaster, out_size)
            state = {k: torch.from_numpy(v) for k, v in tensors.items()}
            # read onto the CPU whatever trained it: a GPU-trained model predicts anywhere
            net.load_state_dict(state, strict=True)
    except (KeyError, TypeError, ValueError, RuntimeError, ConfigError) as exc:
        raise ModelFileError(f"{path}: the model file's content is invalid ({exc})") from None
    forecaster.net_ = net
    forecaster._parameter_count = sum(int(v.size) for v in tensors.values())
    forecaster._fitted_params = fitted_params(forecaster)
    return forecaster, meta, arrays


def _set_fitted(forecaster: Any, fitted: dict[str, Any], params: dict[str, Any]) -> None:
    """The learned attributes of ``forecaster`` from the file's ``fitted`` section."""
    forecaster.freq_ = str(fitted["freq"])
    forecaster.season_length_ = int(fitted["season_length"])
    forecaster.lookback_ = int(fitted["lookback"])
    forecaster.level_span_ = int(fitted.get("level_span", MIN_LEVEL_SPAN))  # files before it
    forecaster.settings_ = dict(fitted.get("settings") or {
        k: params[k] for k in ("hidden_size", "ensemble", "lr", "loss", "epochs")})
    forecaster.series_ = {
        s["unique_id"]: SeriesState.from_json(s) for s in fitted["series"]
    }
    forecaster.history_ = {
        k: [float("nan") if v is None else float(v) for v in vals]
        for k, vals in fitted["history"].items()
    }
    forecaster.stop_reason_ = str(fitted.get("stop_reason", ""))
    forecaster.best_epoch_ = [int(e) for e in fitted.get("best_epoch", [])]
    if fitted.get("conformal"):
        forecaster.conformal_ = Calibration.from_json(fitted["conformal"])
    elif forecaster.levels is not None and forecaster.conformal:
        raise KeyError("conformal")
