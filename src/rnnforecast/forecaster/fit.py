"""Fitting a `Forecaster`: read the data, choose frequency, season and lookback, build the
training set, resolve the adaptive settings, train (one global network, or one per series),
calibrate conformal intervals. The functions set the Forecaster's learned attributes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rnnforecast.data.framing import MIN_LEVEL_SPAN, SMALL_LEVEL_SPAN
from rnnforecast.data.seasons import season_for
from rnnforecast.data.window_bank import WindowBank
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.forecaster.guard import choose_fallbacks
from rnnforecast.forecaster.heads import head_quantiles
from rnnforecast.forecaster.inputs import input_columns
from rnnforecast.forecaster.network import build_net, local_net
from rnnforecast.forecaster.params import (
    check_params,
    check_warm_start,
    choose_lookback,
    fitted_params,
    is_small_data,
    resolve_settings,
)
from rnnforecast.forecaster.state import SeriesState, common_frequency, split
from rnnforecast.forecaster.training_set import TrainingSet, build_training_set, fits_float32
from rnnforecast.training.distributed import fit_input

if TYPE_CHECKING:
    from rnnforecast.models import RecurrentNet
    from rnnforecast.training.checkpoint import Checkpoint
    from rnnforecast.training.distributed import Distributed

__all__ = ["fit", "train_network"]


def fit(f: Any, data: Any, checkpoint: str | os.PathLike[str] | None, resume: bool,
        warm_start: bool) -> None:
    """`Forecaster.fit`: learn from ``data``, setting ``f``'s learned attributes."""
    check_params(f)
    warm = check_warm_start(f, warm_start)
    store = _open_checkpoint(checkpoint, resume)
    # under torchrun: this rank's block of the series (`rnnforecast.training.distributed`)
    dist, frame = fit_input(data, f.fill, f.device, input_columns(f))
    if dist is not None and f.conformal:
        raise ConfigError("conformal=True cannot be calibrated in a data-parallel fit yet: "
                          "fit in one process, or use quantile levels without conformal")
    groups = split(frame)
    _set_frequency(f, groups, warm, dist)
    longest = _check_lengths(f, groups)
    if dist is not None:
        longest = dist.max_int(longest)
    if not warm:
        f.lookback_ = choose_lookback(f, longest)
        f.level_span_ = MIN_LEVEL_SPAN
    windows = build_training_set(f, frame, groups)
    x_train, y_train, n_windows = _arrays(windows, dist)
    small = is_small_data(f, n_windows)
    if small and not warm and f.framing == "level":  # the same windows, levels of 1 step
        f.level_span_ = SMALL_LEVEL_SPAN
        windows = build_training_set(f, frame, groups)
        x_train, y_train, n_windows = _arrays(windows, dist)
    _set_series(f, windows.states, dist)
    # The network runs in float32: values that are finite in float64 can still overflow
    # it (and NaN fails the comparison too).
    if not (windows.finite and fits_float32(*windows.xv, *windows.yv)):
        raise DataError(
            "the scaled data contains values too large for the model's float type; "
            "rescale the series (for example divide by a power of 10)"
        )
    _set_settings(f, n_windows, warm)
    if f.local:  # one small network per series, all trained as one grouped model
        assert isinstance(x_train, np.ndarray)
        fit_local(f, x_train, y_train, windows, store, warm, dist)
    else:
        xv, yv = windows.xv, windows.yv
        f._train(x_train, y_train, np.concatenate(xv) if xv else None,
                 np.concatenate(yv) if yv else None, store,
                 net=f.net_ if warm else None, dist=dist)
        if small and f.guard and dist is None and not input_columns(f) and f.embedding is None:
            for uid, kind in choose_fallbacks(f, groups, _inner_fit).items():
                f.series_[uid].forecast_by = kind
        if f.levels is not None and f.conformal:
            from rnnforecast.forecaster.conformal import calibrate_forecaster

            f.conformal_ = calibrate_forecaster(f, frame)
    f._fitted_params = fitted_params(f)


def _inner_fit(f: Any, data: pd.DataFrame) -> None:
    """The guard's second fit (a plain fit; not `Forecaster.fit`, so that spies on that
    count the user's fits only)."""
    fit(f, data, None, False, False)


def _set_frequency(f: Any, groups: dict[str, pd.DataFrame], warm: bool,
                   dist: Distributed | None) -> None:
    """``freq_`` and ``season_length_`` of a fresh fit; a warm start checks the frequency."""
    freq = common_frequency(groups)
    if dist is not None:
        freq = dist.same_frequency(freq)
    if warm:
        if freq != f.freq_:
            raise ConfigError(
                f"warm_start=True: the data has frequency '{freq}' but the model was "
                f"fitted on '{f.freq_}' data; continue training on data of the model's "
                "frequency, or fit a new model without warm_start"
            )
    else:
        f.freq_ = freq
        f.season_length_ = season_for(f.freq_, f.season_length)


def _check_lengths(f: Any, groups: dict[str, pd.DataFrame]) -> int:
    """The longest series' length; a `DataError` when a series is too short to train on."""
    h = int(f.horizon)
    lengths = {uid: len(g) for uid, g in groups.items()}
    short = {uid: n for uid, n in lengths.items() if n < h + 2}
    if short:
        uid, n = next(iter(short.items()))
        raise DataError(
            f"series '{uid}' has {n} points; with horizon {h} a series needs at least "
            f"{h + 2} (horizon + 2): use a shorter horizon or more data"
            + (f" ({len(short)} series are too short)" if len(short) > 1 else "")
        )
    return max(lengths.values())


def _set_series(f: Any, states: dict[str, SeriesState], dist: Distributed | None) -> None:
    f.series_ = states
    if dist is not None:  # every rank ends with the whole model
        f.series_ = {d["unique_id"]: SeriesState.from_json(d) for d in
                     dist.gather_json([s.to_json() for s in states.values()])}


def _arrays(windows: TrainingSet, dist: Distributed | None,
            ) -> tuple[np.ndarray | WindowBank, np.ndarray, int]:
    """The training windows and targets (the per-series lists are emptied as they are
    joined: a panel's windows can take GBs) and the number of windows over all ranks."""
    x_train = windows.windows()
    windows.xs.clear()
    y_train = np.concatenate(windows.ys)
    windows.ys.clear()
    n_windows = len(x_train) if dist is None else dist.sum_int(len(x_train))
    if n_windows == 0:
        raise DataError(
            "no training windows could be built; use more data or a shorter horizon"
        )
    return x_train, y_train, n_windows


def _set_settings(f: Any, n_windows: int, warm: bool) -> None:
    if warm:
        # the architecture (hidden size, members), loss and lr stay; the epochs follow the
        # new data as in a fresh fit, and an explicit lr set on the object wins
        fresh = resolve_settings(f, n_windows)
        f.settings_ = dict(f.settings_, epochs=fresh["epochs"],
                           lr=f.settings_["lr"] if f.lr is None else f.lr)
    else:
        f.settings_ = resolve_settings(f, n_windows)


def train_network(f: Any, x: np.ndarray | WindowBank, y: np.ndarray, xv: np.ndarray | None,
                  yv: np.ndarray | None, checkpoint: Checkpoint | None = None,
                  net: RecurrentNet | None = None, dist: Distributed | None = None) -> None:
    """Train the global network on windows ``x`` -> ``y`` (validation ``xv`` -> ``yv``); a
    warm start passes the fitted ``net``. Sets ``net_``, ``history_``, ``stop_reason_``
    and ``best_epoch_``."""
    import torch

    from rnnforecast.training import TrainConfig, train
    from rnnforecast.training.batches import BankWindows
    from rnnforecast.training.devices import autocast, resolve_device

    device = resolve_device(f.device)
    if checkpoint is not None:
        settings = {k: v for k, v in f.get_params().items() if k != "quiet"}
        arrays: Sequence[np.ndarray | WindowBank] = [a for a in (x, y, xv, yv)
                                                     if a is not None]
        if dist is not None:  # rank 0 writes it; the fingerprint covers every rank's data
            checkpoint = dist.checkpoint(checkpoint)
            arrays = dist.fingerprint_arrays(arrays)
        assert checkpoint is not None
        checkpoint.expect(settings, arrays)
    if net is None:
        net = build_net(f, y.shape[1])
    else:  # warm start: same seeding as a fresh fit, so reruns are identical
        torch.manual_seed(int(f.seed))
    config = TrainConfig(
        epochs=int(f.settings_["epochs"]), batch_size=int(f.batch_size),
        lr=float(f.settings_["lr"]), loss=str(f.settings_["loss"]), clip=f.clip,
        patience=f.patience, seed=int(f.seed),
        threads=int(f.threads), quantiles=head_quantiles(f),
    )
    if dist is not None and dist.rank != 0:
        progress = None
    else:
        progress = None if f.quiet else _progress_printer(int(f.settings_["epochs"]))
    net.to(device)
    shard = None if dist is None else dist.shard(len(x), 0 if xv is None else xv.shape[0])
    try:
        with autocast(device, str(f.precision)):
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
    f.net_ = net
    f.history_ = result.history
    f.stop_reason_ = result.stop_reason
    f.best_epoch_ = result.best_epoch


def fit_local(f: Any, x: np.ndarray, y: np.ndarray, windows: TrainingSet,
              checkpoint: Checkpoint | None, warm: bool, dist: Distributed | None) -> None:
    """``local=True``: each series' own network, all trained at once as one grouped model
    (`rnnforecast.training.grouped`); a series' weights equal those of its fit alone."""
    from rnnforecast.models.grouped import group_seed
    from rnnforecast.training import TrainConfig
    from rnnforecast.training.grouped import train_grouped

    if checkpoint is not None or warm or dist is not None:
        raise ConfigError("local=True does not support checkpoints, warm_start or "
                          "distributed training yet: fit local models without them")
    ids = list(f.series_)
    cuts = np.cumsum(windows.sizes)[:-1]
    net = local_net(f, y.shape[1])
    net.reset_parameters([group_seed(int(f.seed), uid) for uid in ids])
    config = TrainConfig(
        epochs=int(f.settings_["epochs"]), lr=float(f.settings_["lr"]),
        loss=str(f.settings_["loss"]), clip=f.clip, patience=f.patience,
        seed=int(f.seed), threads=int(f.threads),
    )
    progress = None if f.quiet else _progress_printer(config.epochs)
    xv, yv, val_of = windows.xv, windows.yv, windows.val_of
    try:
        result = train_grouped(
            net, np.split(x, cuts), np.split(y, cuts), config,
            [(xv[val_of[u]], yv[val_of[u]]) if u in val_of else None for u in ids],
            names=ids, on_epoch=progress)
    finally:
        if progress is not None:
            progress.close()
    stored: Any = net  # forecasts like RecurrentNet: (members, series, outputs)
    f.net_ = stored
    f.history_ = result.history
    f.stop_reason_ = result.stop_reason
    f.best_epoch_ = result.best_epoch


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
