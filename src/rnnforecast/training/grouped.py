"""Training many local models at once: one `GroupedRecurrentNet`, one loop, independent fits.

Every series (group) trains full-batch on its own windows; the loss is the sum over units of
each unit's mean loss over its group's real windows (padding windows weigh 0), so each unit's
gradient is the one it would get alone. Gradients are clipped per unit and Adam is
elementwise, so one optimizer over the stacked weights takes every unit's own step. Early
stopping is per group: a group stops when all its members have gone ``patience`` epochs
without validation gain, exactly as a one-series fit stops, and its best weights are frozen
from then on (it is left out of later epochs; the others go on). A group whose loss or weights
become non-finite stops the same way, keeping its last good weights.

Groups are processed in chunks (bounded memory) of equal padded window counts (each count
rounded up to a multiple of `PAD_WINDOWS`). No computation mixes groups, a group computes
with the same shapes alone as in any chunk, and no fused operation of a group falls in the
scalar tail of torch's vectorised loops (`PAD_WINDOWS`, `_UnfusedAdam`), so its result does
not depend on the other series: bit-identical to the one-series fit on our machines (training
would amplify any last-bit difference into visible ones over 100 epochs).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from rnnforecast.errors import TrainingError
from rnnforecast.models.grouped import GroupedRecurrentNet
from rnnforecast.training.config import LOSSES, TrainConfig, TrainResult
from rnnforecast.training.malloc import reuse_freed_memory
from rnnforecast.training.optim import Adam
from rnnforecast.training.shard import Loss

__all__ = ["CHUNK_FLOATS", "PAD_WINDOWS", "train_grouped"]

#: Upper bound on window values (groups x windows x time x units' gate width) one chunk
#: computes at a time; bounds memory (autograd keeps a few such tensors per time step).
CHUNK_FLOATS = 10_000_000
#: Window counts are padded to a multiple of this (padding windows weigh 0): then every
#: per-window tensor holds a multiple of 16 values per unit, so no unit's values fall in the
#: scalar tail of torch's vectorised loops (which rounds fused operations differently).
PAD_WINDOWS = 16


@dataclass
class _Chunk:
    groups: torch.Tensor  # (g,) group indices
    units: torch.Tensor  # (g * members,) unit indices
    x: torch.Tensor  # (g, B, time, features)
    y: torch.Tensor  # (g, 1, B, outputs)
    weight: torch.Tensor  # (g, 1, B): 1 / windows for real windows, 0 for padding


def train_grouped(
    net: GroupedRecurrentNet,
    xs: Sequence[np.ndarray],
    ys: Sequence[np.ndarray],
    config: TrainConfig,
    val: Sequence[tuple[np.ndarray, np.ndarray] | None] | None = None,
    names: Sequence[str] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> TrainResult:
    """Train ``net`` in place: group g on windows ``xs[g]`` (N_g, time, features) -> targets
    ``ys[g]`` (N_g, outputs), validated (when ``config.patience`` is set) on ``val[g]`` (one
    window and its targets, or None). ``names`` name the groups in error messages.
    ``result.best_epoch`` holds one entry per unit (group-major)."""
    reuse_freed_memory()
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        return _train(net, xs, ys, config, val, names, on_epoch)
    finally:
        torch.set_num_threads(previous_threads)


def _chunks(net: GroupedRecurrentNet, xs: Sequence[np.ndarray],
            ys: Sequence[np.ndarray]) -> list[_Chunk]:
    """Groups in chunks of equal padded window count (each series' count rounded up to a
    multiple of PAD_WINDOWS), so that a series computes with the same shapes, and so the same
    float rounding, whichever series share its chunk, and alone."""
    counts = np.array([len(x) for x in xs])
    padded = np.maximum(-(-counts // PAD_WINDOWS), 1) * PAD_WINDOWS
    order = np.argsort(padded, kind="stable")
    k = net.members
    per_window = k * net.hidden_size * 4 * xs[0].shape[1]  # gate values of one window
    steps, features = xs[0].shape[1], xs[0].shape[2]
    out: list[_Chunk] = []
    start = 0
    while start < len(order):
        b = int(padded[order[start]])
        stop = start + 1
        while (stop < len(order) and int(padded[order[stop]]) == b
               and (stop + 1 - start) * b * per_window <= CHUNK_FLOATS):
            stop += 1
        members = order[start:stop]
        x = np.zeros((len(members), b, steps, features), dtype=np.float32)
        y = np.zeros((len(members), 1, b, ys[0].shape[1]), dtype=np.float32)
        weight = np.zeros((len(members), 1, b), dtype=np.float32)
        for i, g in enumerate(members):
            n = int(counts[g])
            x[i, :n] = xs[g]
            y[i, 0, :n] = ys[g]
            weight[i, 0, :n] = 1.0 / max(n, 1)
        groups = torch.from_numpy(members.astype(np.int64))
        units = (groups.view(-1, 1) * k + torch.arange(k)).view(-1)
        out.append(_Chunk(groups, units, torch.from_numpy(x), torch.from_numpy(y),
                          torch.from_numpy(weight)))
        start = stop
    return out


@dataclass
class _Validation:
    """Each group's validation window (zeros where a group has none) and which have one."""

    x: torch.Tensor  # (groups, time, features)
    y: torch.Tensor  # (groups, 1, 1, outputs)
    has_val: torch.Tensor  # (groups,)
    units: torch.Tensor  # (groups * members,): the units of groups with a window

    @classmethod
    def of(cls, val: Sequence[tuple[np.ndarray, np.ndarray] | None], xs: Sequence[np.ndarray],
           ys: Sequence[np.ndarray], k: int) -> _Validation:
        has_val = torch.tensor([v is not None for v in val])
        steps, features = xs[0].shape[1], xs[0].shape[2]
        x_val = torch.zeros(len(val), steps, features)
        y_val = torch.zeros(len(val), 1, 1, ys[0].shape[1])
        for g, pair in enumerate(val):
            if pair is not None:
                x_val[g] = torch.from_numpy(pair[0].astype(np.float32)).reshape(steps, features)
                y_val[g, 0, 0] = torch.from_numpy(pair[1].astype(np.float32)).reshape(-1)
        return cls(x_val, y_val, has_val, has_val.repeat_interleave(k))


def _train(
    net: GroupedRecurrentNet,
    xs: Sequence[np.ndarray],
    ys: Sequence[np.ndarray],
    cfg: TrainConfig,
    val: Sequence[tuple[np.ndarray, np.ndarray] | None] | None,
    names: Sequence[str] | None,
    on_epoch: Callable[[int, dict[str, float]], None] | None,
) -> TrainResult:
    loss_fn = LOSSES[cfg.loss]
    n_groups, k = net.groups, net.members
    n_units = n_groups * k
    params: list[torch.Tensor] = [p for _, p in net.named_parameters()]
    optimizer = _UnfusedAdam(params, lr=cfg.lr)
    chunks = _chunks(net, xs, ys)
    validate = cfg.patience is not None and val is not None and any(v is not None for v in val)
    checks = _Validation.of(val, xs, ys, k) if validate and val is not None else None
    best = [p.detach().clone() for p in params]
    best_loss = torch.full((n_units,), math.inf)
    best_epoch = torch.zeros(n_units, dtype=torch.long)
    stopped = torch.zeros(n_groups, dtype=torch.bool)  # stopped groups keep their best
    result = TrainResult(history={key: [] for key in
                                  ("train_loss", "val_loss", "grad_norm", "grad_norm_max",
                                   "clipped")})
    grads = [torch.zeros_like(p) for p in params]
    for epoch in range(cfg.epochs):
        active = ~stopped.repeat_interleave(k)  # units that still train
        unit_loss = _gradients(net, params, chunks, stopped, grads, loss_fn)
        norms = _clip_per_unit(grads, cfg.clip)
        for p, grad in zip(params, grads, strict=True):
            p.grad = grad
        optimizer.step()
        # non-finite loss or weights: the group stops with its last good weights
        bad = ~torch.isfinite(unit_loss) | ~_finite_per_unit(params)
        _stop_bad_groups(bad.view(n_groups, k).any(dim=1) & ~stopped, stopped, params, best,
                         names, epoch, k)
        live = active & ~bad
        if checks is not None:
            score, val_loss = _validation_score(net, checks, loss_fn, live, epoch)
        else:
            score = torch.full((n_units,), -float(epoch))
            val_loss = math.nan
        improved = (score < best_loss) & ~stopped.repeat_interleave(k)
        if bool(improved.any()):
            best_loss[improved] = score[improved]
            best_epoch[improved] = epoch
            with torch.no_grad():
                for b, p in zip(best, params, strict=True):
                    mask = improved.view(-1, *([1] * (p.dim() - 1)))
                    b.copy_(torch.where(mask, p, b))
        record = _record(unit_loss, norms, live, val_loss, cfg.clip)
        for key, value in record.items():
            result.history[key].append(value)
        result.stopped_epoch = epoch + 1
        if on_epoch is not None:
            on_epoch(epoch, record)
        if checks is not None and cfg.patience is not None:
            has_val = checks.has_val
            patient = (epoch - best_epoch >= cfg.patience).view(n_groups, k).all(dim=1)
            # a group without a validation window trains all epochs, as it would alone
            stopped |= patient & has_val
            if bool(stopped[has_val].all()) and bool(has_val.all()):
                result.stop_reason = (f"early stopping: no validation gain in {cfg.patience} "
                                      "epochs (every series)")
                break
        if bool(stopped.all()):
            result.stop_reason = "every series stopped"
            break
    _restore_units(params, best, torch.ones(n_units, dtype=torch.bool))
    result.best_epoch = [int(e) + 1 for e in best_epoch]
    return result


def _gradients(net: GroupedRecurrentNet, params: list[torch.Tensor], chunks: list[_Chunk],
               stopped: torch.Tensor, grads: list[torch.Tensor], loss_fn: Loss) -> torch.Tensor:
    """Every still-training group's gradient (into ``grads``, zeroed first), chunk by chunk;
    returns the loss of every unit (0 for stopped groups)."""
    keys = [name for name, _ in net.named_parameters()]
    unit_loss = torch.zeros(net.groups * net.members)
    for grad in grads:
        grad.zero_()
    for chunk in chunks:
        if bool(stopped[chunk.groups].all()):
            continue
        weights = {key: p.index_select(0, chunk.units) for key, p in zip(keys, params,
                                                                           strict=True)}
        pred = net.run(weights, chunk.x)  # (g, members, B, outputs)
        per_window = loss_fn(pred, chunk.y).mean(dim=3)  # (g, members, B)
        loss = (per_window * chunk.weight).sum(dim=2)  # (g, members)
        parts = torch.autograd.grad(loss.sum(), list(weights.values()))
        for grad, part in zip(grads, parts, strict=True):
            grad.index_copy_(0, chunk.units, part)
        unit_loss.index_copy_(0, chunk.units, loss.detach().reshape(-1))
    return unit_loss


def _stop_bad_groups(bad_groups: torch.Tensor, stopped: torch.Tensor,
                     params: list[torch.Tensor], best: list[torch.Tensor],
                     names: Sequence[str] | None, epoch: int, k: int) -> None:
    """Groups whose loss or weights became non-finite stop with their last good weights (an
    error in the first epoch)."""
    if not bool(bad_groups.any()):
        return
    first = int(torch.nonzero(bad_groups)[0])
    name = f"series '{names[first]}'" if names is not None else f"group {first}"
    if epoch == 0:
        raise TrainingError(
            f"training loss of {name} became NaN or inf in the first epoch; lower "
            "--lr, keep gradient clipping on, or check that series for extreme values"
        )
    warnings.warn(
        f"training of {int(bad_groups.sum())} series ({name} first) stopped: non-finite "
        f"loss or weights at epoch {epoch + 1}; their last good weights are kept",
        RuntimeWarning, stacklevel=4)
    stopped |= bad_groups
    _restore_units(params, best, bad_groups.repeat_interleave(k))


def _validation_score(net: GroupedRecurrentNet, checks: _Validation, loss_fn: Loss,
                      live: torch.Tensor, epoch: int) -> tuple[torch.Tensor, float]:
    """Each unit's early-stopping score (units without a window always improve) and the
    mean validation loss of the live units that have one."""
    net.eval()
    with torch.inference_mode():
        val_pred = net.run_one(net.weights(), checks.x)
        val_unit = loss_fn(val_pred, checks.y).mean(dim=(2, 3)).reshape(-1)
    score = torch.where(checks.units, torch.nan_to_num(val_unit, nan=math.inf),
                        torch.tensor(-float(epoch)))
    shown = live & checks.units
    val_loss = float(val_unit[shown].mean()) if bool(shown.any()) else math.nan
    return score, val_loss


def _record(unit_loss: torch.Tensor, norms: torch.Tensor, live: torch.Tensor,
            val_loss: float, clip: float | None) -> dict[str, float]:
    shown_norms = norms[live] if bool(live.any()) else norms
    return {
        "train_loss": float(unit_loss[live].mean()) if bool(live.any()) else math.nan,
        "val_loss": val_loss,
        "grad_norm": float(shown_norms.median()),
        "grad_norm_max": float(shown_norms.max()),
        "clipped": float((shown_norms > clip).float().mean())
        if clip is not None else 0.0,
    }


class _UnfusedAdam(Adam):
    """`Adam` with no fused multiply-add: torch's elementwise kernels compute the last
    ``size % 16`` elements of a tensor with scalar code, and a fused multiply-add there rounds
    differently from the vector code; a unit's weights sit at other offsets alone than in a
    group, so only correctly rounded operations (add, mul, div, sqrt) keep its steps equal."""

    @torch.no_grad()
    def step(self) -> None:
        self.step_count += 1
        t = self.step_count
        bias1 = 1 - self.beta1**t
        bias2 = 1 - self.beta2**t
        for p, m, v in zip(self.params, self.exp_avg, self.exp_avg_sq, strict=True):
            g = p.grad if p.grad is not None else torch.zeros_like(p)
            m.mul_(self.beta1).add_(g * (1 - self.beta1))
            v.mul_(self.beta2).add_((g * g) * (1 - self.beta2))
            denom = (v.sqrt() / bias2**0.5).add_(self.eps)
            p.sub_((m / denom) * (self.lr / bias1))


def _clip_per_unit(grads: list[torch.Tensor], clip: float | None) -> torch.Tensor:
    """Clip each unit's gradient (its slice of every weight) to global norm ``clip``;
    return the norms before clipping, one per unit."""
    # summed weight by weight: a sum over a stacked dimension would be reduced in another
    # order for one unit than for many, and the norm must not depend on the other units
    sq = torch.zeros_like(grads[0][:, 0, 0])
    for g in grads:
        sq = sq + (g * g).flatten(1).sum(dim=1)
    norms = sq.sqrt()
    if clip is not None:
        factor = torch.clamp(clip / (norms + 1e-6), max=1.0)
        for g in grads:
            g.mul_(factor.view(-1, *([1] * (g.dim() - 1))))
    return norms


def _finite_per_unit(params: list[torch.Tensor]) -> torch.Tensor:
    return torch.stack([torch.isfinite(p).flatten(1).all(dim=1) for p in params]).all(dim=0)


def _restore_units(params: list[torch.Tensor], saved: list[torch.Tensor],
                   units: torch.Tensor) -> None:
    with torch.no_grad():
        for p, s in zip(params, saved, strict=True):
            p.copy_(torch.where(units.view(-1, *([1] * (p.dim() - 1))), s, p))
