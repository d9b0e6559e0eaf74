"""The `Forecaster`: the one public model object, ``Forecaster(model=...).fit(df).predict()``.

Follows scikit-learn's conventions: ``__init__`` only stores parameters, ``fit`` validates,
learns and returns ``self``, learned state ends with an underscore, ``predict`` never changes
the object. A thin front over the package's modules: `params` (rules and adaptive defaults),
`fit` (training), `predictor` (the fitted, immutable `Predictor` that forecasts) and
`modelfile` (save/load). Torch is imported only when a network is built or loaded.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import rnnforecast.forecaster.fit as fitting
from rnnforecast.data.reader import FillMethod
from rnnforecast.errors import ConfigError
from rnnforecast.forecaster.conformal import Calibration
from rnnforecast.forecaster.guard import NETWORK
from rnnforecast.forecaster.modelfile import load_model, save_model
from rnnforecast.forecaster.network import build_net
from rnnforecast.forecaster.params import PARAM_NAMES, check_params
from rnnforecast.forecaster.predictor import Predictor
from rnnforecast.forecaster.state import SeriesState

if TYPE_CHECKING:
    from rnnforecast.data.window_bank import WindowBank
    from rnnforecast.models import RecurrentNet
    from rnnforecast.training.checkpoint import Checkpoint
    from rnnforecast.training.distributed import Distributed

__all__ = ["Forecaster"]


class Forecaster:
    """A recurrent-network forecaster for one or many series.

    Parameters (defaults chosen by backtests on training data; see ``docs/api.md``):

    - ``model``: "lstm", "gru", "rnn" (Elman, tanh) or "seq2seq" (an encoder-decoder of
      ``cell``); the forecast column takes its name.
    - ``horizon``: steps to forecast. ``lookback``: input window length; ``None`` adapts it to
      the data (``max(2 * season_length, horizon)``, capped by the longest series).
    - ``hidden_size``, ``num_layers``, ``dropout`` (between stacked layers).
    - ``strategy``: "direct" (one output per horizon step) or "recursive" (a one-step model
      fed its own predictions; any horizon at predict time).
    - ``transform``: "auto" (log when every training value is > 0, else none), "log", "none".
    - ``season_length``: ``None`` derives it from the frequency (12 monthly, 4 quarterly,
      7 daily, 24 hourly, 52 weekly, 1 yearly or integer-indexed). With a season of 24 the
      level framing removes weekly (168-step) indices from series that repeat weekly
      (`rnnforecast.data.seasons`); the MASE scale keeps the given season.
    - ``loss``: "mse", "mae" or "huber" on the scaled residuals; ``clip``: global gradient
      norm limit per member (``None`` turns clipping off).
    - ``epochs``, ``batch_size``, ``lr`` (Adam), ``patience``: early stopping on the last
      ``horizon`` points of each series held out for validation (``None``: no validation,
      train all epochs on all windows).
    - ``seed``: runs with the same seed are bit-identical on the same machine.
    - ``ensemble``: K independent members (seeds ``seed .. seed + K - 1`` in one batched
      network); the forecast is their median.
    - ``threads``: torch threads while training (1 is fastest for small models); the caller's
      setting is restored afterwards.
    - ``fill``: how to fill NaN and missing timestamps ("interpolate", "ffill", "zero");
      ``None`` makes them errors.
    - ``nonnegative``: clip forecasts at 0; ``None`` turns it on for series whose training
      values are all >= 0.
    - ``framing``: how a series becomes windows (`rnnforecast.data.framing`): "level"
      (deseasonalised by multiplicative indices when the M4 seasonality test finds a season,
      each window relative to its level) or "seasonal" (seasonal differences in, residuals
      against seasonal naive out; model files of format 1 load with it).
    - ``levels``: prediction-interval levels in percent (e.g. ``[80, 95]``) learned by
      quantile (pinball) heads; adds ``<model>-lo-80``/``<model>-hi-80``... columns.
    - ``conformal``: intervals at ``levels`` from split-conformal backtest residuals instead.
    - ``cell``: the recurrent cell of ``model="seq2seq"``'s encoder and decoder.
    - ``future_cols``: columns known over the forecast horizon (calendar, promotions);
      ``past_cols``: columns observed only up to the forecast origin.
    - ``embedding``: width of a learned per-series embedding (``None``: none).
    - ``local``: one small network per series, all trained as one grouped model.
    - ``device``: "cpu", "cuda", "cuda:N" or "auto" (one GPU when present);
      ``precision``: "fp32" or "bf16" (autocast, GPU only).
    - ``quiet``: no progress output.
    - ``guard``: on small data (fewer than 2,000 training windows, one global network), a
      series whose network lost to seasonal naive or drift on its last ``horizon`` training
      points, when fitted on the points before them, forecasts with the better of those
      (`rnnforecast.forecaster.guard`; ``guarded_`` names them). ``False`` turns it off.

    Fitted attributes: ``freq_``, ``season_length_``, ``lookback_``, ``settings_`` (the
    adaptive defaults resolved), ``series_`` (a `SeriesState` per series), ``net_``,
    ``history_``, ``stop_reason_``, ``best_epoch_``, ``conformal_`` (with ``conformal``),
    ``level_span_`` (the level framing's shortest level: 1 on small data, 12 on panels);
    ``predictor_`` is the immutable `Predictor` that ``predict`` uses.
    """

    # fitted state (declared for type checking; set by fit and load)
    freq_: str
    season_length_: int
    lookback_: int
    settings_: dict[str, Any]
    series_: dict[str, SeriesState]
    net_: Any
    history_: dict[str, list[float]]
    stop_reason_: str
    best_epoch_: list[int]
    conformal_: Calibration
    level_span_: int
    _parameter_count: int  # of a model loaded without its network
    _fitted_params: dict[str, Any]  # the parameters the network was built with (warm start)

    def __init__(
        self,
        model: str = "lstm",
        *,
        horizon: int,
        lookback: int | None = None,
        hidden_size: int | None = None,
        num_layers: int = 1,
        dropout: float = 0.0,
        strategy: str = "direct",
        transform: str = "auto",
        season_length: int | None = None,
        loss: str | None = None,
        clip: float | None = 1.0,
        epochs: int | None = None,
        batch_size: int = 512,
        lr: float | None = None,
        patience: int | None = None,
        seed: int = 0,
        ensemble: int | None = None,
        threads: int = 1,
        fill: FillMethod | None = None,
        nonnegative: bool | None = None,
        framing: str = "level",
        levels: list[float] | None = None,
        conformal: bool = False,
        cell: str = "lstm",
        future_cols: list[str] | None = None,
        past_cols: list[str] | None = None,
        embedding: int | None = None,
        local: bool = False,
        device: str = "auto",
        precision: str = "fp32",
        quiet: bool = True,
        guard: bool = True,
    ) -> None:
        self.model = model
        self.horizon = horizon
        self.lookback = lookback
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.strategy = strategy
        self.transform = transform
        self.season_length = season_length
        self.loss = loss
        self.clip = clip
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.patience = patience
        self.seed = seed
        self.ensemble = ensemble
        self.threads = threads
        self.fill = fill
        self.nonnegative = nonnegative
        self.framing = framing
        self.levels = levels
        self.conformal = conformal
        self.cell = cell
        self.future_cols = future_cols
        self.past_cols = past_cols
        self.embedding = embedding
        self.local = local
        self.device = device
        self.precision = precision
        self.quiet = quiet
        self.guard = guard

    # ------------------------------------------------------------------ parameters

    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters, as given (scikit-learn convention)."""
        return {name: getattr(self, name) for name in PARAM_NAMES}

    def __repr__(self) -> str:
        defaults = Forecaster(horizon=self.horizon).get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k] or k == "horizon"}
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"Forecaster({args})"

    def _check_params(self) -> None:
        check_params(self)

    # ------------------------------------------------------------------------- fit

    def fit(self, data: Any, *, checkpoint: str | os.PathLike[str] | None = None,
            resume: bool = False, warm_start: bool = False) -> Forecaster:
        """Learn from ``data`` (anything `read_series` accepts); returns ``self``.

        ``checkpoint``: a folder where the training state is saved (atomically) after every
        epoch. ``resume=True`` continues the fit saved there (same data and settings, else a
        `ConfigError`) and ends with the same weights as an uninterrupted fit; without it, a
        folder that already holds a checkpoint is refused.

        ``warm_start=True`` (on a fitted or loaded model) continues training from the current
        weights on ``data``: architecture, lookback and settings stay, each series' transform
        and framing are refitted on ``data`` (new series are welcome; ``series_`` becomes the
        series of ``data``), and the configured epochs run again (the panel default re-derived
        from the new number of windows). Only the parameters in
        `rnnforecast.forecaster.params.WARM_CHANGEABLE` (epochs, lr, seed, fill, ...) may
        differ from those the model was fitted with; any other change, or data of another
        frequency, is a `ConfigError`.
        """
        fitting.fit(self, data, checkpoint, resume, warm_start)
        return self

    def _train(self, x: np.ndarray | WindowBank, y: np.ndarray, xv: np.ndarray | None,
               yv: np.ndarray | None, checkpoint: Checkpoint | None = None,
               net: RecurrentNet | None = None, dist: Distributed | None = None) -> None:
        """Train the global network (`rnnforecast.forecaster.fit.train_network`)."""
        fitting.train_network(self, x, y, xv, yv, checkpoint, net, dist)

    def _build_net(self, output_size: int) -> RecurrentNet:
        """The untrained, seeded network of these settings (`network.build_net`)."""
        return build_net(self, output_size)

    @property
    def guarded_(self) -> dict[str, str]:
        """The series whose forecast is a guard fallback ("seasonal_naive" or "drift")
        instead of the network's (`rnnforecast.forecaster.guard`)."""
        self._check_fitted()
        return {uid: s.forecast_by for uid, s in self.series_.items()
                if s.forecast_by != NETWORK}

    # --------------------------------------------------------------------- predict

    @property
    def predictor_(self) -> Predictor:
        """The fitted predictor: an immutable snapshot of the fitted state and of the
        parameters that prediction reads."""
        self._check_network()
        return Predictor.of(self)

    def predict(self, horizon: int | None = None, data: Any = None,
                future: Any = None) -> pd.DataFrame:
        """Forecast ``horizon`` steps (default: the fitted horizon) after the end of the
        training data, or after the end of ``data`` when given (series not seen in training
        get their transform fitted on the data given here).

        ``future``: with ``future_cols``, a frame (or CSV path) with ``unique_id``, ``ds`` and
        those columns for the forecast steps of every series (a seq2seq model needs
        ``horizon`` steps, a direct one its fitted horizon); "calendar" needs no data."""
        return self.predictor_.predict(horizon, data, future)

    def _states_for(self, data: Any) -> dict[str, SeriesState]:
        return self.predictor_.states_for(data)

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise ConfigError("this Forecaster is not fitted yet: call fit(data) first")

    def _check_network(self) -> None:
        self._check_fitted()
        if self.net_ is None:
            raise ConfigError("this model was loaded without its network (network=False): "
                              "load it with Forecaster.load(path) to forecast, save or train")

    # ------------------------------------------------------------------- save/load

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted model to one file (JSON settings + raw tensors; atomic)."""
        self._check_network()
        save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, network: bool = True) -> Forecaster:
        """Read a model written by `save`. Never executes code from the file.
        ``network=False``: settings, series and history only (no torch; `info` works,
        forecasting does not)."""
        return load_model(cls, path, network)

    def info(self) -> dict[str, Any]:
        """A summary of the fitted model: settings, span, series, training."""
        self._check_fitted()
        n_params = (self._parameter_count if self.net_ is None
                    else sum(int(p.numel()) for p in self.net_.parameters()))
        return {
            "model": self.model,
            "params": self.get_params(),
            "frequency": self.freq_,
            "season_length": self.season_length_,
            "lookback": self.lookback_,
            "series": len(self.series_),
            "parameters": n_params,
            "epochs_run": len(self.history_.get("train_loss", [])),
            "stop_reason": self.stop_reason_,
            "guarded": len(self.guarded_),
        }
