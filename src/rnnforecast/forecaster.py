"""`Forecaster`: the one public model object, ``Forecaster(model=...).fit(df).predict()``.

Follows scikit-learn's conventions: ``__init__`` only stores parameters, ``fit`` validates,
learns and returns ``self``, learned state ends with an underscore, ``predict`` never changes
the object. Torch is imported only when a network is built or loaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rnnforecast._version import __version__
from rnnforecast.data.framing import (
    FRAMINGS,
    N_CHANNELS,
    FramingState,
    fit_framing,
    forecast_window,
    make_targets,
    make_windows,
    origins_for,
    reconstruct,
    window_steps,
)
from rnnforecast.data.frequency import future_timestamps, is_integer_freq, season_length_for
from rnnforecast.data.reader import FILL_METHODS, FillMethod, read_series
from rnnforecast.data.seasons import framing_season
from rnnforecast.data.transforms import TRANSFORMS, use_log
from rnnforecast.data.window_bank import WindowBank, WindowBankBuilder
from rnnforecast.errors import ConfigError, DataError, ModelFileError
from rnnforecast.inputs import build_net as build_input_net
from rnnforecast.inputs import check_params as check_input_params
from rnnforecast.inputs import input_columns, plan_for
from rnnforecast.intervals import (
    Calibration,
    add_intervals,
    head_quantiles,
    output_blocks,
)
from rnnforecast.intervals import check_params as check_interval_params
from rnnforecast.scale import fit_input
from rnnforecast.scale.devices import check_device, resolve_device

if TYPE_CHECKING:

    from rnnforecast.models import RecurrentNet
    from rnnforecast.models.grouped import GroupedRecurrentNet
    from rnnforecast.scale.distributed import Distributed
    from rnnforecast.training.checkpoint import Checkpoint

__all__ = ["MODELS", "Forecaster"]

MODELS = ("lstm", "gru", "rnn", "seq2seq")
STRATEGIES = ("direct", "recursive")
LOSS_NAMES = ("mse", "mae", "huber")
#: Below this many training windows (one short series, a few series) the "small" defaults
#: apply, above it the "panel" ones; both were chosen on backtests (BENCHMARKS.md).
PANEL_WINDOWS = 2000
_SMALL = {"hidden_size": 8, "ensemble": 4, "lr": 1.5e-2, "loss": "mse", "epochs": 100}
_PANEL = {"hidden_size": 64, "ensemble": 2, "lr": 3e-3, "loss": "mae"}
_PANEL_STEPS = 1200
#: Training windows per series, the most recent ones: a long series (10,000 hourly points)
#: costs what a 1,000-point one does, since its older windows teach a small network little
#: more (BENCHMARKS.md, "Long single series"). Of the competition data only M4 weekly has
#: longer series (166 of 359): seed 0 OWA 0.943 -> 0.940, fit CPU 113 -> 78 s.
MAX_WINDOWS_PER_SERIES = 1000
#: Series forecast per network call: bounds predict's memory on panels of any size.
PREDICT_BATCH = 2048
#: Gather the plain global model's training windows a batch at a time from a `WindowBank`
#: instead of building them all (bit-identical training); False builds them (for tests).
_GATHER_WINDOWS = True


@dataclass
class SeriesState:
    """What the fitted model keeps of one training series: enough to forecast from its end
    without the data (the tail), and the fitted transform (log flag, scale)."""

    unique_id: str
    log: bool
    scale: float
    season: int
    nonnegative: bool
    last_ds: Any
    tail: list[float]
    indices: list[float] = field(default_factory=list)
    span: int = 1
    start: int = 0  # position of tail[0] in the training series (aligns seasonal indices)
    inputs: dict[str, Any] = field(default_factory=dict)  # covariates: rnnforecast.inputs

    @property
    def framing(self) -> FramingState:
        return FramingState(self.season, self.scale, self.indices, self.span)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        if isinstance(self.last_ds, pd.Timestamp):
            out["last_ds"] = self.last_ds.isoformat()
        else:
            out["last_ds"] = int(self.last_ds)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeriesState:
        data = dict(data)
        if isinstance(data["last_ds"], str):
            data["last_ds"] = pd.Timestamp(data["last_ds"])
        return cls(**data)


class Forecaster:
    """A recurrent-network forecaster for one or many series.

    Parameters (defaults chosen by backtests on training data; see ``docs/api.md``):

    - ``model``: "lstm", "gru" or "rnn" (Elman, tanh); the forecast column takes its name.
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
    """

    # fitted state read before it is set again by a warm start (declared for type checking)
    freq_: str
    settings_: dict[str, Any]
    net_: Any

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

    # ------------------------------------------------------------------ parameters

    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters, as given (scikit-learn convention)."""
        return {name: getattr(self, name) for name in _PARAM_NAMES}

    def __repr__(self) -> str:
        defaults = Forecaster(horizon=self.horizon).get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k] or k == "horizon"}
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"Forecaster({args})"

    def _check_params(self) -> None:
        def need(ok: bool, name: str, allowed: str) -> None:
            if not ok:
                raise ConfigError(f"{name}={getattr(self, name)!r} is invalid: use {allowed}")

        need(self.model in MODELS, "model", f"one of {', '.join(MODELS)}")
        need(_is_int(self.horizon) and self.horizon >= 1, "horizon", "an integer >= 1")
        need(self.lookback is None or (_is_int(self.lookback) and self.lookback >= 1),
             "lookback", "an integer >= 1 or None")
        need(_optional_int(self.hidden_size), "hidden_size", "an integer >= 1 or None")
        need(_is_int(self.num_layers) and self.num_layers >= 1, "num_layers", "an integer >= 1")
        need(0.0 <= self.dropout < 1.0, "dropout", "a number in [0, 1)")
        need(self.strategy in STRATEGIES, "strategy", f"one of {', '.join(STRATEGIES)}")
        need(self.transform in TRANSFORMS, "transform", f"one of {', '.join(TRANSFORMS)}")
        season = self.season_length
        need(season is None or (_is_int(season) and season >= 1),
             "season_length", "an integer >= 1 or None")
        need(self.loss is None or self.loss in LOSS_NAMES, "loss",
             f"one of {', '.join(LOSS_NAMES)} or None")
        need(self.clip is None or self.clip > 0, "clip", "a number > 0 or None")
        need(_optional_int(self.epochs), "epochs", "an integer >= 1 or None")
        need(_is_int(self.batch_size) and self.batch_size >= 1, "batch_size", "an integer >= 1")
        # above 1000 the Adam step overflows float32 (lr / (1 - beta1) > 3.4e38 is one
        # way); no useful learning rate is anywhere near it
        need(self.lr is None or 0 < self.lr <= 1e3, "lr", "a number in (0, 1000] or None")
        need(self.patience is None or (_is_int(self.patience) and self.patience >= 1),
             "patience", "an integer >= 1 or None")
        need(_is_int(self.seed) and self.seed >= 0, "seed", "an integer >= 0")
        need(_optional_int(self.ensemble), "ensemble", "an integer >= 1 or None")
        need(self.framing in FRAMINGS, "framing", f"one of {', '.join(FRAMINGS)}")
        need(_is_int(self.threads) and self.threads >= 1, "threads", "an integer >= 1")
        need(self.fill is None or self.fill in FILL_METHODS, "fill",
             f"one of {', '.join(FILL_METHODS)} or None")
        check_interval_params(self)  # levels, conformal
        check_input_params(self)  # cell, future_cols, past_cols, embedding
        check_device(self.device, self.precision)
        need(isinstance(self.local, bool), "local", "True or False")
        if self.local:  # one small plain recurrent network per series (models/grouped.py)
            need(self.model in ("lstm", "gru", "rnn"), "model", "lstm, gru or rnn with local=True")
            for name, off in (("dropout", 0.0), ("levels", None), ("future_cols", None),
                              ("past_cols", None), ("embedding", None)):
                if getattr(self, name) not in (off, []):
                    raise ConfigError(f"{name}={getattr(self, name)!r} is not supported with "
                                      f"local=True: leave {name} unset for local models")

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
        from the new number of windows). Data of another frequency is a `ConfigError`.
        """
        self._check_params()
        warm = _check_warm_start(self, warm_start)
        if warm and self.embedding is not None:  # the table rows are the old fit's series
            raise ConfigError("warm_start=True cannot continue a model with an embedding: "
                              "fit a new one")
        store = _open_checkpoint(checkpoint, resume)
        # under torchrun: this rank's block of the series (`rnnforecast.scale.distributed`)
        dist, frame = fit_input(data, self.fill, self.device, input_columns(self))
        if dist is not None and self.conformal:
            raise ConfigError("conformal=True cannot be calibrated in a data-parallel fit yet: "
                              "fit in one process, or use quantile levels without conformal")
        groups = _split(frame)
        freq = _common_frequency(groups)
        if dist is not None:
            freq = dist.same_frequency(freq)
        if warm:
            if freq != self.freq_:
                raise ConfigError(
                    f"warm_start=True: the data has frequency '{freq}' but the model was "
                    f"fitted on '{self.freq_}' data; continue training on data of the model's "
                    "frequency, or fit a new model without warm_start"
                )
        else:
            self.freq_ = freq
            self.season_length_ = (
                int(self.season_length)
                if self.season_length is not None
                else season_length_for(self.freq_)
            )
        h = int(self.horizon)
        lengths = {uid: len(g) for uid, g in groups.items()}
        short = {uid: n for uid, n in lengths.items() if n < h + 2}
        if short:
            uid, n = next(iter(short.items()))
            raise DataError(
                f"series '{uid}' has {n} points; with horizon {h} a series needs at least "
                f"{h + 2} (horizon + 2): use a shorter horizon or more data"
                + (f" ({len(short)} series are too short)" if len(short) > 1 else "")
            )
        longest = max(lengths.values())
        if dist is not None:
            longest = dist.max_int(longest)
        if not warm:
            self.lookback_ = self._choose_lookback(longest)
        out_size = h if self.strategy == "direct" else 1
        states: dict[str, SeriesState] = {}
        xs, ys, xv, yv = [], [], [], []
        sizes: list[int] = []  # windows per series (local models split them again)
        val_of: dict[str, int] = {}  # series -> its validation window (local models)
        finite = True
        validate = self.patience is not None
        plan = plan_for(self).fit_statics(frame)  # covariate, calendar, embedding channels
        # The plain global model's windows are gathered per batch from a bank (a panel's
        # windows can take GBs); local models, seq2seq, covariates and embeddings build them.
        bank = (WindowBankBuilder(self.lookback_)
                if _GATHER_WINDOWS and not plan.active and not self.local else None)
        for uid, g in groups.items():
            y = g["y"].to_numpy(dtype=np.float64)
            state, z = self._fit_series(uid, y, g["ds"].iloc[-1])
            steps = plan.attach(state, g, index=len(states))
            states[uid] = state
            framing = state.framing
            origins = origins_for(self.framing, len(z), framing, out_size)
            # Validation: the window whose target is the series' last `horizon` points;
            # training keeps only windows whose targets end before it starts.
            val_origin = len(z) - h - 1
            if validate and origins.size and val_origin >= origins[0] + out_size:
                val = np.array([val_origin], dtype=np.int64)
                x_val, y_val = make_windows(self.framing, z, state.log, framing, val,
                                            self.lookback_, out_size)
                xv.append(plan.training_windows(x_val, steps, val, len(states) - 1))
                yv.append(y_val)
                val_of[uid] = len(xv) - 1
                origins = origins[origins + out_size <= val_origin]
            origins = origins[-MAX_WINDOWS_PER_SERIES:]
            if bank is not None:
                y_fit = make_targets(self.framing, z, state.log, framing, origins, out_size)
                values, shift, divisor = window_steps(self.framing, z, state.log, framing,
                                                      origins)
                fits = bank.add(values, origins, shift, divisor)
                finite = finite and fits and _fits_float32(y_fit)
            else:
                x_fit, y_fit = make_windows(self.framing, z, state.log, framing, origins,
                                            self.lookback_, out_size)
                x_fit = plan.training_windows(x_fit, steps, origins, len(states) - 1)
                # checked and cast series by series: a float64 copy of a long-lookback panel's
                # windows would not fit in memory (M4 hourly, lookback 168: 1 GB)
                finite = finite and _fits_float32(x_fit, y_fit)
                sizes.append(len(x_fit))
                with np.errstate(over="ignore"):  # too large values are refused below
                    xs.append(x_fit.astype(np.float32))
            with np.errstate(over="ignore"):
                ys.append(y_fit.astype(np.float32))
        self.series_ = states
        if dist is not None:  # every rank ends with the whole model
            self.series_ = {d["unique_id"]: SeriesState.from_json(d) for d in
                            dist.gather_json([s.to_json() for s in states.values()])}
        x_train: np.ndarray | WindowBank = np.concatenate(xs) if bank is None else bank.build()
        del xs
        y_train = np.concatenate(ys)
        del ys
        n_windows = len(x_train) if dist is None else dist.sum_int(len(x_train))
        if n_windows == 0:
            raise DataError(
                "no training windows could be built; use more data or a shorter horizon"
            )
        # The network runs in float32: values that are finite in float64 can still overflow
        # it (and NaN fails the comparison too).
        if not (finite and _fits_float32(*xv, *yv)):
            raise DataError(
                "the scaled data contains values too large for the model's float type; "
                "rescale the series (for example divide by a power of 10)"
            )
        if warm:
            # the architecture (hidden size, members), loss and lr stay; the epochs follow the
            # new data as in a fresh fit, and an explicit lr set on the object wins
            fresh = self._resolve_settings(n_windows)
            self.settings_ = dict(self.settings_, epochs=fresh["epochs"],
                                  lr=self.settings_["lr"] if self.lr is None else self.lr)
        else:
            self.settings_ = self._resolve_settings(n_windows)
        if self.local:  # one small network per series, all trained as one grouped model
            assert isinstance(x_train, np.ndarray)
            self._fit_local(x_train, y_train, sizes, xv, yv, val_of, store, warm, dist)
            return self
        self._train(x_train, y_train, np.concatenate(xv) if xv else None,
                    np.concatenate(yv) if yv else None, store,
                    net=self.net_ if warm else None, dist=dist)
        if self.levels is not None and self.conformal:
            from rnnforecast.intervals import calibrate_forecaster

            self.conformal_ = calibrate_forecaster(self, frame)
        return self

    def _resolve_settings(self, windows: int) -> dict[str, Any]:
        """The training settings actually used: each parameter left at None takes the
        "small" default (fewer than PANEL_WINDOWS training windows) or the "panel" one
        (about 1,200 optimizer steps whatever the panel's size). A local model sees one series:
        always the "small" defaults, with one network (no ensemble)."""
        if self.local:  # one small network per series (an ensemble costs its size in time)
            auto: dict[str, Any] = dict(_SMALL, ensemble=1)
        elif windows < PANEL_WINDOWS:
            auto = dict(_SMALL)
        else:
            steps_per_epoch = -(-windows // int(self.batch_size))
            auto = dict(_PANEL, epochs=int(min(150, max(3, round(_PANEL_STEPS / steps_per_epoch)))))
        given = {"hidden_size": self.hidden_size, "ensemble": self.ensemble, "lr": self.lr,
                 "loss": self.loss, "epochs": self.epochs}
        return {k: (auto[k] if v is None else v) for k, v in given.items()}

    def _choose_lookback(self, longest: int) -> int:
        h, m = int(self.horizon), self.season_length_
        limit = max(1, longest - h - 1)
        if self.lookback is not None:
            if self.lookback > limit:
                raise DataError(
                    f"lookback {self.lookback} leaves no training window: the longest series "
                    f"has {longest} points and horizon {h} needs lookback + horizon + 1 <= "
                    f"{longest}; use lookback <= {limit}"
                )
            return int(self.lookback)
        if self.local:  # not capped by the longest series: a series' model ignores the others
            return int(min(max(2 * m, h), 200))
        return int(min(max(2 * m, h), limit, 200))

    def _fit_series(self, uid: str, y: np.ndarray, last_ds: Any) -> tuple[SeriesState, np.ndarray]:
        log = use_log(y, self.transform, uid)
        z = np.log(y) if log else y
        out_size = int(self.horizon) if self.strategy == "direct" else 1
        season = self.season_length_
        if self.framing == "level":  # hourly data: the week, when it is seasonal
            season = framing_season(y, season, out_size)
        elif len(z) < season + out_size:
            season = 1  # too short for one seasonal reference plus a target: non-seasonal
        framing = fit_framing(self.framing, y, z, log, season)
        if log and framing.scale == 0.0:
            # A constant series: its forecast is the constant, and exp(log(c)) is not always
            # exactly c (7.5 -> 7.499999999999999), so keep it on its own scale.
            log, z = False, y
            framing = fit_framing(self.framing, y, z, log, season)
        nonneg = bool(np.all(y >= 0)) if self.nonnegative is None else bool(self.nonnegative)
        keep = min(len(y), self.lookback_ + max(season, framing.span))
        state = SeriesState(uid, bool(log), float(framing.scale), int(season), nonneg,
                            _timestamp(last_ds), [float(v) for v in y[-keep:]],
                            framing.indices, framing.span, len(y) - keep)
        return state, z

    def _train(self, x: np.ndarray | WindowBank, y: np.ndarray, xv: np.ndarray | None,
               yv: np.ndarray | None, checkpoint: Checkpoint | None = None,
               net: RecurrentNet | None = None, dist: Distributed | None = None) -> None:
        import torch

        from rnnforecast.scale.devices import autocast, resolve_device
        from rnnforecast.training import TrainConfig, train
        from rnnforecast.training.batches import BankWindows

        device = resolve_device(self.device)
        if checkpoint is not None:
            settings = {k: v for k, v in self.get_params().items() if k != "quiet"}
            arrays: Sequence[np.ndarray | WindowBank] = [a for a in (x, y, xv, yv)
                                                         if a is not None]
            if dist is not None:  # rank 0 writes it; the fingerprint covers every rank's data
                checkpoint = dist.checkpoint(checkpoint)
                arrays = dist.fingerprint_arrays(arrays)
            assert checkpoint is not None
            checkpoint.expect(settings, arrays)
        if net is None:
            net = self._build_net(y.shape[1])
        else:  # warm start: same seeding as a fresh fit, so reruns are identical
            torch.manual_seed(int(self.seed))
        config = TrainConfig(
            epochs=int(self.settings_["epochs"]), batch_size=int(self.batch_size),
            lr=float(self.settings_["lr"]), loss=str(self.settings_["loss"]), clip=self.clip,
            patience=self.patience, seed=int(self.seed),
            threads=int(self.threads), quantiles=head_quantiles(self),
        )
        if dist is not None and dist.rank != 0:
            progress = None
        else:
            progress = None if self.quiet else _progress_printer(int(self.settings_["epochs"]))
        net.to(device)
        shard = None if dist is None else dist.shard(len(x), 0 if xv is None else xv.shape[0])
        try:
            with autocast(device, str(self.precision)):
                result = train(
                    net,
                    BankWindows(x, device) if isinstance(x, WindowBank)
                    else torch.from_numpy(np.asarray(x, dtype=np.float32)).to(device),  # no copy
                    torch.from_numpy(np.asarray(y, dtype=np.float32)).to(device),
                    config,
                    None if xv is None else torch.from_numpy(xv.astype(np.float32)).to(device),
                    None if yv is None else torch.from_numpy(yv.astype(np.float32)).to(device),
                    on_epoch=progress,
                    checkpoint=checkpoint,
                    shard=shard,
                )
        finally:  # stopped early, interrupted or failed: the progress bar goes away
            if progress is not None:
                progress.close()
            net.cpu()  # kept on the CPU; prediction moves it to the device again
        self.net_ = net
        self.history_ = result.history
        self.stop_reason_ = result.stop_reason
        self.best_epoch_ = result.best_epoch

    def _fit_local(self, x: np.ndarray, y: np.ndarray, sizes: list[int], xv: list[np.ndarray],
                   yv: list[np.ndarray], val_of: dict[str, int], checkpoint: Checkpoint | None,
                   warm: bool, dist: Distributed | None) -> None:
        """``local=True``: each series' own network, all trained at once as one grouped model
        (`rnnforecast.training.grouped`); a series' weights equal those of its fit alone."""
        from rnnforecast.models.grouped import group_seed
        from rnnforecast.training import TrainConfig
        from rnnforecast.training.grouped import train_grouped

        if checkpoint is not None or warm or dist is not None:
            raise ConfigError("local=True does not support checkpoints, warm_start or "
                              "distributed training yet: fit local models without them")
        ids = list(self.series_)
        cuts = np.cumsum(sizes)[:-1]
        net = self._local_net(y.shape[1])
        net.reset_parameters([group_seed(int(self.seed), uid) for uid in ids])
        config = TrainConfig(
            epochs=int(self.settings_["epochs"]), lr=float(self.settings_["lr"]),
            loss=str(self.settings_["loss"]), clip=self.clip, patience=self.patience,
            seed=int(self.seed), threads=int(self.threads),
        )
        progress = None if self.quiet else _progress_printer(config.epochs)
        try:
            result = train_grouped(
                net, np.split(x, cuts), np.split(y, cuts), config,
                [(xv[val_of[u]], yv[val_of[u]]) if u in val_of else None for u in ids],
                names=ids, on_epoch=progress)
        finally:
            if progress is not None:
                progress.close()
        stored: Any = net  # forecasts like RecurrentNet: (members, series, outputs)
        self.net_ = stored
        self.history_ = result.history
        self.stop_reason_ = result.stop_reason
        self.best_epoch_ = result.best_epoch

    def _local_net(self, output_size: int) -> GroupedRecurrentNet:
        """The grouped network of ``local=True``, one group per series of ``series_`` (in
        that order), its weights all zero until set."""
        from rnnforecast.models.grouped import GroupedRecurrentNet

        return GroupedRecurrentNet(
            self.model, N_CHANNELS, int(self.settings_["hidden_size"]), int(self.num_layers),
            output_size, groups=len(self.series_), members=int(self.settings_["ensemble"]))

    def _build_net(self, output_size: int) -> RecurrentNet:
        import torch

        from rnnforecast.models import RecurrentNet

        torch.manual_seed(int(self.seed))
        if self.local:  # one network per series: _fit_local draws its weights, load reads them
            grouped: Any = self._local_net(output_size)
            return grouped
        # seq2seq, covariates or an embedding: the network for `rnnforecast.inputs`' windows
        special = build_input_net(self, output_size * output_blocks(self), output_blocks(self))
        if special is not None:
            return special
        return RecurrentNet(
            self.model, N_CHANNELS, int(self.settings_["hidden_size"]), int(self.num_layers),
            output_size * output_blocks(self),  # the point, then any quantile heads
            dropout=float(self.dropout), members=int(self.settings_["ensemble"]),
        )

    # --------------------------------------------------------------------- predict

    def predict(self, horizon: int | None = None, data: Any = None,
                future: Any = None) -> pd.DataFrame:
        """Forecast ``horizon`` steps (default: the fitted horizon) after the end of the
        training data, or after the end of ``data`` when given (series not seen in training
        get their transform fitted on the data given here).

        ``future``: with ``future_cols``, a frame (or CSV path) with ``unique_id``, ``ds`` and
        those columns for the forecast steps of every series (a seq2seq model needs
        ``horizon`` steps, a direct one its fitted horizon); "calendar" needs no data."""
        self._check_fitted()
        h = int(self.horizon) if horizon is None else horizon
        if not _is_int(h) or h < 1:
            raise ConfigError(f"horizon={horizon!r} is invalid: use an integer >= 1")
        if self.strategy == "direct" and h > int(self.horizon):
            raise ConfigError(
                f"horizon {h} is longer than the {self.horizon} steps this direct model was "
                "trained for; refit with a longer horizon or use strategy='recursive'"
            )
        states = self.series_ if data is None else self._states_for(data)
        ahead = plan_for(self).future_inputs(list(states.values()), h, future)
        forecasts = self._forecast_states(list(states.values()), h, ahead)
        rows = []
        for state, values in zip(states.values(), forecasts, strict=True):
            ds = future_timestamps(state.last_ds, self.freq_, h)
            rows.append(pd.DataFrame({"unique_id": state.unique_id, "ds": ds, self.model: values}))
        return add_intervals(self, list(states.values()), pd.concat(rows, ignore_index=True), h,
                             ahead)

    def _states_for(self, data: Any) -> dict[str, SeriesState]:
        frame = read_series(data, fill=self.fill, covariates=input_columns(self))
        plan = plan_for(self)
        groups = _split(frame)
        freq = _common_frequency(groups)
        if freq != self.freq_:
            # Otherwise the forecast's timestamps continue the data at the wrong frequency.
            raise DataError(
                f"the data has frequency '{freq}' but the model was fitted on '{self.freq_}' "
                "data; forecast from data of the training frequency"
            )
        out: dict[str, SeriesState] = {}
        for uid, g in groups.items():
            y = g["y"].to_numpy(dtype=np.float64)
            known = self.series_.get(uid)
            if known is None:
                if self.local:
                    raise DataError(
                        f"series '{uid}' was not in the training data, and a local model "
                        "(local=True) has a network for each training series only: refit with "
                        "it included, or use a global model (local=False)"
                    )
                if len(y) < 2:
                    raise DataError(f"series '{uid}' needs at least 2 points to forecast from")
                state, _ = self._fit_series(uid, y, g["ds"].iloc[-1])
            else:
                if known.log and np.any(y <= 0):
                    raise DataError(
                        f"series '{uid}' was modelled on the log scale but the new data has "
                        "values <= 0; refit with transform='none'"
                    )
                keep = min(len(y), self.lookback_ + max(known.season, known.span))
                last = _timestamp(g["ds"].iloc[-1])
                # series position of the new data's end, counted from the training start
                end = known.start + len(known.tail) - 1 + _steps_between(
                    known.last_ds, last, self.freq_)
                state = SeriesState(uid, known.log, known.scale, known.season, known.nonnegative,
                                    last, [float(v) for v in y[-keep:]], known.indices,
                                    known.span, end - keep + 1)
            if len(state.tail) < state.season:
                raise DataError(
                    f"series '{uid}' has {len(state.tail)} points; forecasting it needs at "
                    f"least {state.season} (one season)"
                )
            plan.attach(state, g, known)  # covariate scales, tails and embedding index
            out[uid] = state
        return out

    def _forecast_states(self, states: list[SeriesState], h: int,
                         future: list[np.ndarray] | None = None,
                         block: int = 0) -> list[np.ndarray]:
        """Forecasts of ``states``, PREDICT_BATCH series at a time: memory stays bounded
        however many series there are (``future``: each series' future-known inputs;
        ``block`` k > 0: the k-th quantile head's outputs instead of the point)."""
        out: list[np.ndarray] = []
        for a in range(0, len(states), PREDICT_BATCH):
            part = None if future is None else future[a : a + PREDICT_BATCH]
            out += self._forecast_batch(states[a : a + PREDICT_BATCH], h, part, block)
        return out

    def _forecast_batch(self, states: list[SeriesState], h: int,
                        future: list[np.ndarray] | None, block: int = 0) -> list[np.ndarray]:
        import torch

        plan = plan_for(self)
        zs = [np.log(s.tail) if s.log else np.asarray(s.tail, dtype=np.float64) for s in states]
        steps = 1 if self.strategy == "direct" else h
        out_size = h if self.strategy == "direct" else 1
        z_hat = [np.empty(0) for _ in states]
        from rnnforecast.scale.devices import autocast

        net = self.net_
        net.eval()
        # the network lives on the CPU between calls (save, explain); it visits the device
        device = torch.device("cpu") if self.local else resolve_device(str(self.device),
                                                                       strict=False)
        net.to(device)
        # a local model sends each series' window to that series' own network
        order = {uid: i for i, uid in enumerate(self.series_)}
        route = (torch.tensor([order[s.unique_id] for s in states]),) if self.local else ()
        previous = torch.get_num_threads()
        torch.set_num_threads(int(self.threads))
        try:
            for _ in range(steps):
                windows = plan.forecast_windows(np.stack([
                    forecast_window(self.framing, z, s.log, s.framing, self.lookback_, s.start)
                    for z, s in zip(zs, states, strict=True)
                ]), states, future)
                with torch.inference_mode():
                    batch = torch.from_numpy(windows.astype(np.float32)).to(device)
                    with autocast(device, str(self.precision)):
                        raw = net(batch, *route).double().cpu().numpy()
                # (series, out): the point, or quantile head `block`
                member_median = np.median(raw, axis=0)[:, block * out_size:(block + 1) * out_size]
                for i, (z, s) in enumerate(zip(zs, states, strict=True)):
                    step = reconstruct(self.framing, z, s.log, s.framing, member_median[i],
                                       s.start)
                    if self.strategy == "direct":
                        z_hat[i] = step
                    else:
                        zs[i] = np.append(z, step)
                        z_hat[i] = np.append(z_hat[i], step)
        finally:
            torch.set_num_threads(previous)
            net.cpu()
        results = []
        for z_pred, s in zip(z_hat, states, strict=True):
            values = np.exp(z_pred[:h]) if s.log else z_pred[:h]
            if s.nonnegative:
                values = np.maximum(values, 0.0)
            if not np.all(np.isfinite(values)):
                raise DataError(
                    f"the forecast for series '{s.unique_id}' overflows float64; rescale the data"
                )
            results.append(values)
        return results

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise ConfigError("this Forecaster is not fitted yet: call fit(data) first")

    # ------------------------------------------------------------------- save/load

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted model to one file (JSON settings + raw tensors; atomic)."""
        from rnnforecast.io import write_model_file

        self._check_fitted()
        meta = {
            "library": "rnnforecast",
            "library_version": __version__,
            "params": self.get_params(),
            "fitted": {
                "freq": self.freq_,
                "season_length": self.season_length_,
                "lookback": self.lookback_,
                "settings": self.settings_,
                "series": [s.to_json() for s in self.series_.values()],
                "history": {k: [_json_float(v) for v in vals] for k, vals in self.history_.items()},
                "stop_reason": self.stop_reason_,
                "best_epoch": self.best_epoch_,
                "conformal": self.conformal_.to_json() if hasattr(self, "conformal_") else None,
            },
        }
        tensors = {k: v.detach().cpu().numpy() for k, v in self.net_.state_dict().items()}
        write_model_file(path, meta, tensors)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Forecaster:
        """Read a model written by `save`. Never executes code from the file."""
        import torch

        from rnnforecast.io import read_model_file

        meta, tensors = read_model_file(path)
        try:
            if meta.get("library") != "rnnforecast":
                raise KeyError("library")
            params = {k: v for k, v in meta["params"].items() if k in _PARAM_NAMES}
            params.setdefault("framing", "seasonal")  # format-1 files before framings
            forecaster = cls(**params)
            forecaster._check_params()
            fitted = meta["fitted"]
            forecaster.freq_ = str(fitted["freq"])
            forecaster.season_length_ = int(fitted["season_length"])
            forecaster.lookback_ = int(fitted["lookback"])
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
            out_size = int(forecaster.horizon) if forecaster.strategy == "direct" else 1
            net = forecaster._build_net(out_size)
            state = {k: torch.from_numpy(v) for k, v in tensors.items()}
            # read onto the CPU whatever trained it: a GPU-trained model predicts anywhere
            net.load_state_dict(state, strict=True)
        except (KeyError, TypeError, ValueError, RuntimeError, ConfigError) as exc:
            raise ModelFileError(f"{path}: the model file's content is invalid ({exc})") from None
        forecaster.net_ = net
        return forecaster

    def info(self) -> dict[str, Any]:
        """A summary of the fitted model: settings, span, series, training."""
        self._check_fitted()
        n_params = sum(int(p.numel()) for p in self.net_.parameters())
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
        }


_PARAM_NAMES = (
    "model", "horizon", "lookback", "hidden_size", "num_layers", "dropout", "strategy",
    "transform", "season_length", "loss", "clip", "epochs", "batch_size", "lr", "patience",
    "seed", "ensemble", "threads", "fill", "nonnegative", "framing", "levels", "conformal",
    "cell", "future_cols", "past_cols", "embedding", "local", "device", "precision", "quiet",
)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _optional_int(value: Any) -> bool:
    return value is None or (_is_int(value) and value >= 1)


def _fits_float32(*arrays: np.ndarray) -> bool:
    """Every value finite and inside float32's range (NaN fails the comparison too)."""
    limit = float(np.finfo(np.float32).max)
    return all(bool(np.all(np.abs(a) < limit)) for a in arrays)


def _json_float(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def _timestamp(value: Any) -> Any:
    if isinstance(value, (np.integer, int)):
        return int(value)
    return pd.Timestamp(value)


def _split(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(uid): g for uid, g in frame.groupby("unique_id", sort=False)}


def _steps_between(first: Any, last: Any, freq: str) -> int:
    """Whole steps of ``freq`` from ``first`` to ``last`` (negative when ``last`` is earlier)."""
    if is_integer_freq(freq):
        return (int(last) - int(first)) // int(freq.split(":")[1])
    lo, hi = sorted((pd.Timestamp(first), pd.Timestamp(last)))
    count = len(pd.date_range(lo, hi, freq=freq)) - 1
    return count if pd.Timestamp(last) >= pd.Timestamp(first) else -count


def _common_frequency(groups: dict[str, pd.DataFrame]) -> str:
    from rnnforecast.data.frequency import series_frequency

    freqs = {uid: series_frequency(g, uid) for uid, g in groups.items()}
    distinct = sorted(set(freqs.values()))
    if len(distinct) > 1:
        kinds = {is_integer_freq(f) for f in distinct}
        what = "integer and date time axes" if len(kinds) > 1 else f"frequencies {distinct}"
        raise DataError(f"the series mix {what}; fit series of one frequency together")
    return distinct[0]


def _check_warm_start(forecaster: Forecaster, warm_start: Any) -> bool:
    """``warm_start`` as a bool; True needs fitted weights to continue from."""
    if not isinstance(warm_start, bool):
        raise ConfigError(f"warm_start={warm_start!r} is invalid: use True or False")
    if warm_start and not hasattr(forecaster, "net_"):
        raise ConfigError(
            "warm_start=True needs a fitted model to continue from: use "
            "Forecaster.load(path).fit(data, warm_start=True), or fit once without warm_start"
        )
    return warm_start


def _open_checkpoint(folder: str | os.PathLike[str] | None, resume: bool) -> Checkpoint | None:
    if not isinstance(resume, bool):
        raise ConfigError(f"resume={resume!r} is invalid: use True or False")
    if folder is None:
        if resume:
            raise ConfigError("resume=True needs checkpoint=<folder>: the folder of the fit "
                              "to continue")
        return None
    from rnnforecast.training.checkpoint import Checkpoint

    return Checkpoint(folder, resume=resume)


def _progress_printer(epochs: int) -> Any:
    from rnnforecast.training.progress import EpochPrinter

    return EpochPrinter(epochs)
