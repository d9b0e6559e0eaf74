"""The Forecaster's parameters: names, validation, the adaptive defaults and the warm-start
rule. Every function reads a `Forecaster` (or anything with its parameter attributes)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from rnnforecast.data.framing import FRAMINGS
from rnnforecast.data.reader import FILL_METHODS
from rnnforecast.data.transforms import TRANSFORMS
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.forecaster.heads import check_params as check_interval_params
from rnnforecast.forecaster.inputs import check_params as check_input_params
from rnnforecast.training.devices import check_device

__all__ = ["MODELS", "PANEL_WINDOWS", "PARAM_NAMES", "WARM_CHANGEABLE", "check_params",
           "check_warm_start", "choose_lookback", "resolve_settings", "warm_start_conflicts"]

MODELS = ("lstm", "gru", "rnn", "seq2seq")
STRATEGIES = ("direct", "recursive")
LOSS_NAMES = ("mse", "mae", "huber")
#: Below this many training windows (one short series, a few series) the "small" defaults
#: apply, above it the "panel" ones; both were chosen on backtests (BENCHMARKS.md).
PANEL_WINDOWS = 2000
#: Small data train at most this many window-steps (windows x lookback x epochs), in at
#: least SMALL_MIN_EPOCHS epochs: a 1,000-point hourly series then costs about 3 times
#: AirPassengers' fit, not 20 times (its 950 windows teach 8 hidden units little more than
#: 200 would). AirPassengers (2,304 window-steps an epoch) keeps its 100 epochs.
SMALL_BUDGET = 800_000
SMALL_MIN_EPOCHS = 10
_SMALL = {"hidden_size": 8, "ensemble": 4, "lr": 1.5e-2, "loss": "mse", "epochs": 100}
_PANEL = {"hidden_size": 64, "ensemble": 2, "lr": 3e-3, "loss": "mae"}
_PANEL_STEPS = 1200

#: The constructor's parameters, in its order (the model file's ``params``).
PARAM_NAMES = (
    "model", "horizon", "lookback", "hidden_size", "num_layers", "dropout", "strategy",
    "transform", "season_length", "loss", "clip", "epochs", "batch_size", "lr", "patience",
    "seed", "ensemble", "threads", "fill", "nonnegative", "framing", "levels", "conformal",
    "cell", "future_cols", "past_cols", "embedding", "local", "device", "precision", "quiet",
    "guard",
)
#: What ``fit(data, warm_start=True)`` may change: how training runs, not what the network
#: is (every other parameter is fixed by the fitted model, and by its model file).
WARM_CHANGEABLE = ("epochs", "lr", "seed", "fill", "batch_size", "patience", "clip",
                   "threads", "device", "precision", "quiet", "guard")


def is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _optional_int(value: Any) -> bool:
    return value is None or (is_int(value) and value >= 1)


def check_params(f: Any) -> None:
    """Validate every parameter of ``f``: a `ConfigError` naming it and what to use."""
    def need(ok: bool, name: str, allowed: str) -> None:
        if not ok:
            raise ConfigError(f"{name}={getattr(f, name)!r} is invalid: use {allowed}")

    need(f.model in MODELS, "model", f"one of {', '.join(MODELS)}")
    need(is_int(f.horizon) and f.horizon >= 1, "horizon", "an integer >= 1")
    need(f.lookback is None or (is_int(f.lookback) and f.lookback >= 1),
         "lookback", "an integer >= 1 or None")
    need(_optional_int(f.hidden_size), "hidden_size", "an integer >= 1 or None")
    need(is_int(f.num_layers) and f.num_layers >= 1, "num_layers", "an integer >= 1")
    need(0.0 <= f.dropout < 1.0, "dropout", "a number in [0, 1)")
    need(f.strategy in STRATEGIES, "strategy", f"one of {', '.join(STRATEGIES)}")
    need(f.transform in TRANSFORMS, "transform", f"one of {', '.join(TRANSFORMS)}")
    season = f.season_length
    need(season is None or (is_int(season) and season >= 1),
         "season_length", "an integer >= 1 or None")
    need(f.loss is None or f.loss in LOSS_NAMES, "loss",
         f"one of {', '.join(LOSS_NAMES)} or None")
    need(f.clip is None or f.clip > 0, "clip", "a number > 0 or None")
    need(_optional_int(f.epochs), "epochs", "an integer >= 1 or None")
    need(is_int(f.batch_size) and f.batch_size >= 1, "batch_size", "an integer >= 1")
    # above 1000 the Adam step overflows float32 (lr / (1 - beta1) > 3.4e38 is one
    # way); no useful learning rate is anywhere near it
    need(f.lr is None or 0 < f.lr <= 1e3, "lr", "a number in (0, 1000] or None")
    need(f.patience is None or (is_int(f.patience) and f.patience >= 1),
         "patience", "an integer >= 1 or None")
    need(is_int(f.seed) and f.seed >= 0, "seed", "an integer >= 0")
    need(_optional_int(f.ensemble), "ensemble", "an integer >= 1 or None")
    need(f.framing in FRAMINGS, "framing", f"one of {', '.join(FRAMINGS)}")
    need(is_int(f.threads) and f.threads >= 1, "threads", "an integer >= 1")
    need(f.fill is None or f.fill in FILL_METHODS, "fill",
         f"one of {', '.join(FILL_METHODS)} or None")
    check_interval_params(f)  # levels, conformal
    check_input_params(f)  # cell, future_cols, past_cols, embedding
    check_device(f.device, f.precision)
    need(isinstance(f.local, bool), "local", "True or False")
    need(isinstance(f.guard, bool), "guard", "True or False")
    if f.local:  # one small plain recurrent network per series (models/grouped.py)
        need(f.model in ("lstm", "gru", "rnn"), "model", "lstm, gru or rnn with local=True")
        for name, off in (("dropout", 0.0), ("levels", None), ("future_cols", None),
                          ("past_cols", None), ("embedding", None)):
            if getattr(f, name) not in (off, []):
                raise ConfigError(f"{name}={getattr(f, name)!r} is not supported with "
                                  f"local=True: leave {name} unset for local models")


def is_small_data(f: Any, windows: int) -> bool:
    """Whether a global model sees small data (fewer than `PANEL_WINDOWS` training windows):
    the regime of the "small" defaults, the 1-step level and the guard."""
    return not f.local and windows < PANEL_WINDOWS


def resolve_settings(f: Any, windows: int) -> dict[str, Any]:
    """The training settings actually used: each parameter left at None takes the
    "small" default (fewer than PANEL_WINDOWS training windows; epochs within
    SMALL_BUDGET) or the "panel" one
    (about 1,200 optimizer steps whatever the panel's size). A local model sees one series:
    always the "small" defaults, with one network (no ensemble)."""
    if f.local:  # one small network per series (an ensemble costs its size in time)
        auto: dict[str, Any] = dict(_SMALL, ensemble=1)
    elif is_small_data(f, windows):
        auto = dict(_SMALL)
        auto["epochs"] = int(min(auto["epochs"], max(SMALL_MIN_EPOCHS, round(
            SMALL_BUDGET / (windows * f.lookback_)))))
    else:
        steps_per_epoch = -(-windows // int(f.batch_size))
        auto = dict(_PANEL, epochs=int(min(150, max(3, round(_PANEL_STEPS / steps_per_epoch)))))
    given = {"hidden_size": f.hidden_size, "ensemble": f.ensemble, "lr": f.lr,
             "loss": f.loss, "epochs": f.epochs}
    return {k: (auto[k] if v is None else v) for k, v in given.items()}


def choose_lookback(f: Any, longest: int) -> int:
    """The lookback of a fit whose longest series has ``longest`` points: the given one
    (checked), else ``max(2 * season, horizon)`` capped by the data and by 200."""
    h, m = int(f.horizon), f.season_length_
    limit = max(1, longest - h - 1)
    if f.lookback is not None:
        if f.lookback > limit:
            raise DataError(
                f"lookback {f.lookback} leaves no training window: the longest series "
                f"has {longest} points and horizon {h} needs lookback + horizon + 1 <= "
                f"{longest}; use lookback <= {limit}"
            )
        return int(f.lookback)
    if f.local:  # not capped by the longest series: a series' model ignores the others
        return int(min(max(2 * m, h), 200))
    return int(min(max(2 * m, h), limit, 200))


def fitted_params(f: Any) -> dict[str, Any]:
    """A copy of ``f``'s parameters as they are now (kept at fit and load: what the
    network was built with, for the warm-start rule)."""
    return copy.deepcopy({name: getattr(f, name) for name in PARAM_NAMES})


def warm_start_conflicts(fitted: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """The parameters in ``params`` whose value differs from ``fitted`` (the parameters the
    model was fitted with) and that a warm start cannot change (not in `WARM_CHANGEABLE`):
    the rule of ``fit(warm_start=True)`` and of ``rnnforecast fit --init``."""
    return [name for name, value in params.items()
            if name in fitted and name not in WARM_CHANGEABLE and value != fitted[name]]


def check_warm_start(f: Any, warm_start: Any) -> bool:
    """``warm_start`` as a bool; True needs fitted weights to continue from, built with the
    parameters ``f`` has now (only `WARM_CHANGEABLE` ones may differ)."""
    if not isinstance(warm_start, bool):
        raise ConfigError(f"warm_start={warm_start!r} is invalid: use True or False")
    if warm_start and getattr(f, "net_", None) is None:  # unfitted, or loaded network=False
        raise ConfigError(
            "warm_start=True needs a fitted model to continue from: use "
            "Forecaster.load(path).fit(data, warm_start=True), or fit once without warm_start"
        )
    fitted = getattr(f, "_fitted_params", None)
    if warm_start and fitted is not None:
        now = {name: getattr(f, name) for name in PARAM_NAMES}
        for name in warm_start_conflicts(fitted, now):
            raise ConfigError(
                f"warm_start=True keeps the fitted network, but {name}={now[name]!r} differs "
                f"from the {name}={fitted[name]!r} it was fitted with: set {name} back to "
                f"{fitted[name]!r}, or fit a new model without warm_start (a warm start may "
                f"change only {', '.join(WARM_CHANGEABLE)})"
            )
    if warm_start and f.embedding is not None:  # the table rows are the old fit's series
        raise ConfigError("warm_start=True cannot continue a model with an embedding: "
                          "fit a new one")
    return warm_start
