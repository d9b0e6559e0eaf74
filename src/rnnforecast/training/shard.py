"""Which windows this process trains on, and how its losses and gradients combine with the
other processes': the one thing the training loop asks of data-parallel training.

`LocalShard` is the ordinary single-process fit: every window is local and nothing is
combined (each method is the plain computation, so a fit without a process group runs exactly
the operations it always ran). `rnnforecast.training.distributed.DataParallelShard` is the
same interface over ``torch.distributed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import torch

if TYPE_CHECKING:
    from rnnforecast.models import RecurrentNet

__all__ = ["LocalShard", "Loss", "Shard"]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class Shard(Protocol):
    """This process's part of a fit (see the module docstring)."""

    #: windows of the whole fit (every process's), and its validation windows
    total: int
    val_total: int

    def local_index(self, idx: torch.Tensor) -> torch.Tensor:
        """The local positions of the global window indices this process owns."""
        ...

    def member_loss(self, loss_fn: Loss, net: RecurrentNet, xb: torch.Tensor,
                    yb: torch.Tensor, size: int) -> torch.Tensor:
        """Per-member loss of this process's windows of a global batch of ``size``."""
        ...

    def reduce_grads(self, params: list[torch.Tensor]) -> None:
        """Combine the gradients of all processes (before clipping)."""
        ...

    def reduce_sum(self, value: torch.Tensor) -> torch.Tensor:
        """A scalar summed over the processes."""
        ...

    def val_loss(self, loss_fn: Loss, net: RecurrentNet, x_val: torch.Tensor | None,
                 y_val: torch.Tensor | None) -> torch.Tensor:
        """Per-member mean validation loss over all processes' validation windows."""
        ...


class LocalShard:
    """Every window is this process's; nothing to combine."""

    def __init__(self, total: int, val_total: int) -> None:
        self.total = total
        self.val_total = val_total

    def local_index(self, idx: torch.Tensor) -> torch.Tensor:
        return idx

    def member_loss(self, loss_fn: Loss, net: RecurrentNet, xb: torch.Tensor,
                    yb: torch.Tensor, size: int) -> torch.Tensor:
        pred = net(xb)  # (members, batch, outputs)
        return loss_fn(pred, yb.unsqueeze(0)).mean(dim=(1, 2))

    def reduce_grads(self, params: list[torch.Tensor]) -> None:
        return None

    def reduce_sum(self, value: torch.Tensor) -> torch.Tensor:
        return value

    def val_loss(self, loss_fn: Loss, net: RecurrentNet, x_val: torch.Tensor | None,
                 y_val: torch.Tensor | None) -> torch.Tensor:
        assert x_val is not None and y_val is not None
        with torch.inference_mode():
            return loss_fn(net(x_val), y_val.unsqueeze(0)).mean(dim=(1, 2)).cpu()
