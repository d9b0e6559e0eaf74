"""`Forecaster`: the one public model object, ``Forecaster(model=...).fit(df).predict()``.

Follows scikit-learn's conventions: ``__init__`` only stores parameters, ``fit`` validates,
learns and returns ``self``, learned state ends with an underscore, ``predict`` never changes
the object. Torch is imported only when a network is built or loaded.
"""

from __future__ import annotations

import os
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
    make_windows,
    origins_for,
    reconstruct,
)
from rnnforecast.data.frequency import future_timestamps, is_integer_freq, season_length_for
from rnnforecast.data.reader import FILL_METHODS, FillMethod, read_series
from rnnforecast.data.transforms import TRANSFORMS, use_log
from rnnforecast.errors import ConfigError, DataError, ModelFileError

if TYPE_CHECKING:

    from rnnforecast.models import RecurrentNet
    from rnnforecast.training.checkpoint import Checkpoint

__all__ = ["MODELS", "Forecaster"]

MODELS = ("lstm", "gru", "rnn")
STRATEGIES = ("direct", "recursive")
LOSS_NAMES = ("mse", "mae", "huber")
#: Below this many training windows (one short series, a few series) the "small" defaults
#: apply, above it the "panel" ones; both were chosen on backtests (BENCHMARKS.md).
PANEL_WINDOWS = 2000
_SMALL = {"hidden_size": 8, "ensemble": 5, "lr": 1e-2, "loss": "mse", "epochs": 150}
_PANEL = {"hidden_size": 64, "ensemble": 1, "lr": 3e-3, "loss": "mae"}
_PANEL_STEPS = 1200


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
      7 daily, 24 hourly, 52 weekly, 1 yearly or integer-indexed).
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
        device: str = "cpu",
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

    # ------------------------------------------------------------------------- fit

    def fit(self, data: Any, *, checkpoint: str | os.PathLike[str] | None = None,
            resume: bool = False) -> Forecaster:
        """Learn from ``data`` (anything `read_series` accepts); returns ``self``.

        ``checkpoint``: a folder where the training state is saved (atomically) after every
        epoch. ``resume=True`` continues the fit saved there (same data and settings, else a
        `ConfigError`) and ends with the same weights as an uninterrupted fit; without it, a
        folder that already holds a checkpoint is refused.
        """
        self._check_params()
        store = _open_checkpoint(checkpoint, resume)
        frame = read_series(data, fill=self.fill)
        groups = _split(frame)
        self.freq_ = _common_frequency(groups)
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
        self.lookback_ = self._choose_lookback(longest)
        out_size = h if self.strategy == "direct" else 1
        states: dict[str, SeriesState] = {}
        xs, ys, xv, yv = [], [], [], []
        validate = self.patience is not None
        for uid, g in groups.items():
            y = g["y"].to_numpy(dtype=np.float64)
            state, z = self._fit_series(uid, y, g["ds"].iloc[-1])
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
                xv.append(x_val)
                yv.append(y_val)
                origins = origins[origins + out_size <= val_origin]
            x_fit, y_fit = make_windows(self.framing, z, state.log, framing, origins,
                                        self.lookback_, out_size)
            xs.append(x_fit)
            ys.append(y_fit)
        self.series_ = states
        x_train = np.concatenate(xs)
        y_train = np.concatenate(ys)
        if x_train.shape[0] == 0:
            raise DataError(
                "no training windows could be built; use more data or a shorter horizon"
            )
        # The network runs in float32: values that are finite in float64 can still overflow
        # it (and NaN fails the comparison too).
        limit = float(np.finfo(np.float32).max)
        if not all(bool(np.all(np.abs(a) < limit)) for a in (x_train, y_train, *xv, *yv)):
            raise DataError(
                "the scaled data contains values too large for the model's float type; "
                "rescale the series (for example divide by a power of 10)"
            )
        self.settings_ = self._resolve_settings(x_train.shape[0])
        self._train(x_train, y_train, np.concatenate(xv) if xv else None,
                    np.concatenate(yv) if yv else None, store)
        return self

    def _resolve_settings(self, windows: int) -> dict[str, Any]:
        """The training settings actually used: each parameter left at None takes the
        "small" default (fewer than PANEL_WINDOWS training windows) or the "panel" one
        (about 1,200 optimizer steps whatever the panel's size)."""
        if windows < PANEL_WINDOWS:
            auto: dict[str, Any] = dict(_SMALL)
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
        return int(min(max(2 * m, h), limit, 200))

    def _fit_series(self, uid: str, y: np.ndarray, last_ds: Any) -> tuple[SeriesState, np.ndarray]:
        log = use_log(y, self.transform, uid)
        z = np.log(y) if log else y
        out_size = int(self.horizon) if self.strategy == "direct" else 1
        season = self.season_length_
        if len(z) < season + out_size:
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

    def _train(self, x: np.ndarray, y: np.ndarray, xv: np.ndarray | None,
               yv: np.ndarray | None, checkpoint: Checkpoint | None = None) -> None:
        import torch

        from rnnforecast.training import TrainConfig, train

        if checkpoint is not None:
            settings = {k: v for k, v in self.get_params().items() if k != "quiet"}
            checkpoint.expect(settings, [a for a in (x, y, xv, yv) if a is not None])
        net = self._build_net(y.shape[1])
        config = TrainConfig(
            epochs=int(self.settings_["epochs"]), batch_size=int(self.batch_size),
            lr=float(self.settings_["lr"]), loss=str(self.settings_["loss"]), clip=self.clip,
            patience=self.patience, seed=int(self.seed),
            threads=int(self.threads),
        )
        progress = None if self.quiet else _progress_printer(int(self.settings_["epochs"]))
        try:
            result = train(
                net,
                torch.from_numpy(x.astype(np.float32)),
                torch.from_numpy(y.astype(np.float32)),
                config,
                None if xv is None else torch.from_numpy(xv.astype(np.float32)),
                None if yv is None else torch.from_numpy(yv.astype(np.float32)),
                on_epoch=progress,
                checkpoint=checkpoint,
            )
        finally:  # stopped early, interrupted or failed: the progress bar goes away
            if progress is not None:
                progress.close()
        self.net_ = net
        self.history_ = result.history
        self.stop_reason_ = result.stop_reason
        self.best_epoch_ = result.best_epoch

    def _build_net(self, output_size: int) -> RecurrentNet:
        import torch

        from rnnforecast.models import RecurrentNet

        torch.manual_seed(int(self.seed))
        return RecurrentNet(
            self.model, N_CHANNELS, int(self.settings_["hidden_size"]), int(self.num_layers),
            output_size, dropout=float(self.dropout), members=int(self.settings_["ensemble"]),
        )

    # --------------------------------------------------------------------- predict

    def predict(self, horizon: int | None = None, data: Any = None) -> pd.DataFrame:
        """Forecast ``horizon`` steps (default: the fitted horizon) after the end of the
        training data, or after the end of ``data`` when given (series not seen in training
        get their transform fitted on the data given here)."""
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
        forecasts = self._forecast_states(list(states.values()), h)
        rows = []
        for state, values in zip(states.values(), forecasts, strict=True):
            ds = future_timestamps(state.last_ds, self.freq_, h)
            rows.append(pd.DataFrame({"unique_id": state.unique_id, "ds": ds, self.model: values}))
        return pd.concat(rows, ignore_index=True)

    def _states_for(self, data: Any) -> dict[str, SeriesState]:
        frame = read_series(data, fill=self.fill)
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
            out[uid] = state
        return out

    def _forecast_states(self, states: list[SeriesState], h: int) -> list[np.ndarray]:
        import torch

        zs = [np.log(s.tail) if s.log else np.asarray(s.tail, dtype=np.float64) for s in states]
        steps = 1 if self.strategy == "direct" else h
        out_size = h if self.strategy == "direct" else 1
        z_hat = [np.empty(0) for _ in states]
        net = self.net_
        net.eval()
        previous = torch.get_num_threads()
        torch.set_num_threads(int(self.threads))
        try:
            for _ in range(steps):
                windows = np.stack([
                    forecast_window(self.framing, z, s.log, s.framing, self.lookback_, s.start)
                    for z, s in zip(zs, states, strict=True)
                ])
                with torch.inference_mode():
                    raw = net(torch.from_numpy(windows.astype(np.float32))).double().numpy()
                member_median = np.median(raw, axis=0)[:, :out_size]  # (series, out)
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
            out_size = int(forecaster.horizon) if forecaster.strategy == "direct" else 1
            net = forecaster._build_net(out_size)
            state = {k: torch.from_numpy(v) for k, v in tensors.items()}
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
