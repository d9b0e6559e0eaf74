"""The training loop, top to bottom: batches, forward, loss, backward, clip, step, validate,
early stop, checkpoint. Nothing in it that is not the loop.

A network holds one or more independent members (`RecurrentNet` and the networks built on it:
`Seq2SeqNet`, `DirectNet`); the loss is the sum of the members' losses, gradients are clipped
per member, and early stopping keeps each member's own best weights, so a member trains
exactly as it would alone. Which windows this process owns and how losses and gradients
combine with other processes is the `Shard`'s business (`rnnforecast.training.shard`): a
single-process fit uses the do-nothing `LocalShard`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from rnnforecast.errors import TrainingError
from rnnforecast.models import RecurrentNet
from rnnforecast.training.checkpoint import Checkpoint, TrainState
from rnnforecast.training.config import LOSSES, TrainConfig, TrainResult
from rnnforecast.training.malloc import reuse_freed_memory
from rnnforecast.training.optim import Adam
from rnnforecast.training.pinball import with_quantiles
from rnnforecast.training.shard import LocalShard, Loss, Shard

if TYPE_CHECKING:
    from rnnforecast.training.batches import WindowSource

__all__ = ["LOSSES", "TrainConfig", "TrainResult", "train"]

HISTORY = ("train_loss", "val_loss", "grad_norm", "grad_norm_max", "clipped")


def train(
    net: RecurrentNet,
    x: torch.Tensor | WindowSource,
    y: torch.Tensor,
    config: TrainConfig,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    checkpoint: Checkpoint | None = None,
    shard: Shard | None = None,
) -> TrainResult:
    """Train ``net`` in place on windows ``x`` (N, T, C) -> targets ``y`` (N, outputs); with a
    ``checkpoint``, continue from it (if it was opened to resume) and save it every epoch.
    ``x`` is a tensor or a `WindowSource` gathering batches without holding every window
    (`rnnforecast.training.batches`). With a data-parallel ``shard``
    (`rnnforecast.training.distributed`) ``x`` holds this rank's windows only and the ranks
    train one model together; without one, a `LocalShard` of all windows."""
    n_val = x_val.shape[0] if x_val is not None and y_val is not None else 0
    part = shard if shard is not None else LocalShard(len(x), n_val)
    reuse_freed_memory()
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        return _train(net, x, y, config, x_val, y_val, on_epoch, checkpoint, part)
    finally:
        torch.set_num_threads(previous_threads)


@dataclass
class _Step:
    """What every step of a fit uses: the network's parameters grouped by member, the loss,
    the optimizer and the shard."""

    net: RecurrentNet
    params: list[torch.Tensor]
    owners: list[torch.Tensor]
    layouts: list[tuple[int, int] | None]
    loss_fn: Loss
    optimizer: Adam
    shard: Shard
    clip: float | None

    @classmethod
    def of(cls, net: RecurrentNet, cfg: TrainConfig, shard: Shard) -> _Step:
        loss_fn = LOSSES[cfg.loss]
        if cfg.quantiles:
            loss_fn = with_quantiles(loss_fn, cfg.quantiles)
        names = [n for n, _ in net.named_parameters()]
        params: list[torch.Tensor] = [p for _, p in net.named_parameters()]
        owners_by_name = net.member_of()
        owners = [owners_by_name[n] for n in names]
        layouts = [_member_layout(o, net.members) for o in owners]
        return cls(net, params, owners, layouts, loss_fn, Adam(params, lr=cfg.lr), shard,
                   cfg.clip)

    @property
    def members(self) -> int:
        return self.net.members


def _train(
    net: RecurrentNet,
    x: torch.Tensor | WindowSource,
    y: torch.Tensor,
    cfg: TrainConfig,
    x_val: torch.Tensor | None,
    y_val: torch.Tensor | None,
    on_epoch: Callable[[int, dict[str, float]], None] | None,
    checkpoint: Checkpoint | None,
    shard: Shard,
) -> TrainResult:
    step = _Step.of(net, cfg, shard)
    params, members = step.params, step.members
    generator = torch.Generator().manual_seed(cfg.seed)
    n = shard.total  # global window count
    batch = min(cfg.batch_size, n)
    # one batch of every window: the same tensor each epoch (a source gathers it once)
    whole = None if batch < n else x if isinstance(x, torch.Tensor) else x.all_windows()
    validate = shard.val_total > 0
    best = [p.detach().clone() for p in params]
    best_loss = torch.full((members,), math.inf)
    best_epoch = torch.zeros(members, dtype=torch.long)
    result = TrainResult(history={k: [] for k in HISTORY})
    state = TrainState(net, step.optimizer, generator, best, best_loss, best_epoch, result)
    first = 0 if checkpoint is None else checkpoint.restore(state, cfg.epochs)
    for epoch in range(first, cfg.epochs):
        net.train()
        order = torch.randperm(n, generator=generator) if batch < n else None
        sum_loss, norms = _epoch(step, x, y, whole, order, n, batch)
        train_loss = float(shard.reduce_sum(sum_loss)) / (n * members)
        if not math.isfinite(train_loss) or not _all_finite(params):
            _restore(params, best)
            _stop_non_finite(result, epoch, math.isfinite(train_loss))
            break
        if validate:
            net.eval()
            val_member = shard.val_loss(step.loss_fn, net, x_val, y_val)
            score = torch.nan_to_num(val_member, nan=math.inf)
            val_loss = float(val_member.mean())
        else:
            score = torch.full((members,), -float(epoch))  # always improving: keep the last
            val_loss = math.nan
        _keep_best(step, best, best_loss, best_epoch, score, epoch)
        record = _record(train_loss, val_loss, torch.stack(norms), cfg.clip)
        for key, value in record.items():
            result.history[key].append(value)
        result.stopped_epoch = epoch + 1
        if on_epoch is not None:
            on_epoch(epoch, record)
        patience = cfg.patience
        if validate and patience is not None and bool((epoch - best_epoch >= patience).all()):
            result.stop_reason = f"early stopping: no validation gain in {patience} epochs"
        if checkpoint is not None:
            checkpoint.save(state)
        if result.stop_reason != "epochs":
            break
    _restore(params, best)
    result.best_epoch = [int(e) + 1 for e in best_epoch]
    return result


def _epoch(
    step: _Step,
    x: torch.Tensor | WindowSource,
    y: torch.Tensor,
    whole: torch.Tensor | None,
    order: torch.Tensor | None,
    n: int,
    batch: int,
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """One pass over the (global) windows in batches: forward, loss, backward, combine,
    clip, step. Returns this process's loss sum (weighted by batch size) and the per-step
    per-member gradient norms before clipping."""
    sum_loss = torch.zeros(())
    norms: list[torch.Tensor] = []
    shard = step.shard
    for start in range(0, n, batch):
        if order is None:
            assert whole is not None
            xb, yb = whole, y
        else:
            idx = shard.local_index(order[start : start + batch])
            xb, yb = x[idx], y[idx]
        size = min(batch, n - start)  # the global batch
        member_loss = shard.member_loss(step.loss_fn, step.net, xb, yb, size)
        total = member_loss.sum()
        step.optimizer.zero_grad()
        total.backward()
        shard.reduce_grads(step.params)  # the global gradient, before per-member clipping
        norms.append(_clip_per_member(step.params, step.owners, step.layouts, step.members,
                                      step.clip))
        step.optimizer.step()
        sum_loss = sum_loss + total.detach() * size
    return sum_loss, norms


def _stop_non_finite(result: TrainResult, epoch: int, finite_loss: bool) -> None:
    """Training became non-finite: an error in the first epoch, else a warning (the caller
    keeps the weights of the last good epoch)."""
    what = "training loss" if not finite_loss else "weights"
    result.stop_reason = f"non-finite {what} at epoch {epoch + 1}"
    result.stopped_epoch = epoch
    if epoch == 0:
        raise TrainingError(
            "training loss became NaN or inf in the first epoch; lower --lr, keep "
            "gradient clipping on, or check the data for extreme values"
        )
    warnings.warn(
        f"training stopped: {result.stop_reason}; the weights of the last good epoch "
        "are kept (a lower learning rate, --lr, may train further)",
        RuntimeWarning,
        stacklevel=4,
    )


def _keep_best(step: _Step, best: list[torch.Tensor], best_loss: torch.Tensor,
               best_epoch: torch.Tensor, score: torch.Tensor, epoch: int) -> None:
    """Each member whose score improved keeps its current weights as its best."""
    improved = score < best_loss
    if not bool(improved.any()):
        return
    best_loss[improved] = score[improved]
    best_epoch[improved] = epoch
    with torch.no_grad():
        if bool(improved.all()):  # always so without validation: one fused copy
            torch._foreach_copy_(best, step.params)
        else:
            for b, p, o in zip(best, step.params, step.owners, strict=True):
                b.copy_(torch.where(improved.to(p.device)[o.to(p.device)], p, b))


def _record(train_loss: float, val_loss: float, step_norms: torch.Tensor,
            clip: float | None) -> dict[str, float]:
    """The epoch's history entry; ``step_norms`` is (steps, members)."""
    return {
        "train_loss": train_loss,
        "val_loss": val_loss,
        "grad_norm": float(step_norms.max(dim=1).values.mean()),
        "grad_norm_max": float(step_norms.max()),
        "clipped": float((step_norms > clip).any(dim=1).float().mean())
        if clip is not None
        else 0.0,
    }


def _member_layout(owner: torch.Tensor, members: int) -> tuple[int, int] | None:
    """Shape ``(a, b)`` such that ``param.view(a, members, b)`` puts member k's entries at
    ``[:, k, :]`` (true of every `RecurrentNet` parameter: members are stacked blocks), so
    per-member sums and scaling are two reshaped ops instead of a scatter and a gather per
    parameter; ``None`` when the owners follow no such layout."""
    if members == 1:
        return None
    n = owner.numel()
    if n % members:
        return None
    rest = n // members
    expected = torch.arange(members).view(1, members, 1)
    for a in (d for d in range(1, rest + 1) if rest % d == 0):
        if bool((owner.reshape(a, members, rest // a) == expected).all()):
            return a, rest // a
    return None


def _clip_per_member(
    params: list[torch.Tensor],
    owners: list[torch.Tensor],
    layouts: list[tuple[int, int] | None],
    members: int,
    clip: float | None,
) -> torch.Tensor:
    """Clip each member's gradient to global norm ``clip``; return the norms before clipping."""
    grads = [p.grad for p in params if p.grad is not None]
    if members == 1:
        norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
        if clip is not None:
            factor = torch.clamp(clip / (norm + 1e-6), max=1.0)
            torch._foreach_mul_(grads, factor)
        return norm.view(1)
    sq = torch.zeros(members, device=grads[0].device)
    for p, owner, layout in zip(params, owners, layouts, strict=True):
        if p.grad is None:
            continue
        if layout is None:
            sq.index_add_(0, owner.view(-1), p.grad.view(-1).pow(2))
        else:
            sq += p.grad.view(layout[0], members, layout[1]).pow(2).sum(dim=(0, 2))
    norms = sq.sqrt()
    if clip is not None:
        factor = torch.clamp(clip / (norms + 1e-6), max=1.0)
        for p, owner, layout in zip(params, owners, layouts, strict=True):
            if p.grad is None:
                continue
            if layout is None:
                p.grad.mul_(factor[owner])
            else:
                p.grad.view(layout[0], members, layout[1]).mul_(factor.view(1, members, 1))
    return norms


def _all_finite(params: list[torch.Tensor]) -> bool:
    """One fused pass: the max-norm of a tensor is inf or NaN exactly when an entry is."""
    return bool(torch.isfinite(torch.stack(torch._foreach_norm(params, float("inf")))).all())


def _restore(params: list[torch.Tensor], saved: list[torch.Tensor]) -> None:
    with torch.no_grad():
        for p, s in zip(params, saved, strict=True):
            p.copy_(s)
