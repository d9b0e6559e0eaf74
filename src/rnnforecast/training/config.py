"""What a training run is asked to do (`TrainConfig`), what it returns (`TrainResult`), and
the losses it can minimise: shared by the loop, the grouped loop and the checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch.nn import functional

__all__ = ["LOSSES", "TrainConfig", "TrainResult"]

LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "mse": lambda p, t: (p - t).pow(2),
    "mae": lambda p, t: (p - t).abs(),
    "huber": lambda p, t: functional.huber_loss(p, t.expand_as(p), reduction="none"),
}


@dataclass
class TrainConfig:
    epochs: int = 200
    batch_size: int = 1024
    lr: float = 1e-2
    loss: str = "mse"
    clip: float | None = 1.0
    patience: int | None = None
    seed: int = 0
    threads: int = 1
    #: quantile heads: outputs after the first ``h`` are these quantiles (pinball loss)
    quantiles: tuple[float, ...] = ()


@dataclass
class TrainResult:
    """Per-epoch records (``train_loss``, ``val_loss``, ``grad_norm`` before clipping,
    ``grad_norm_max``, ``clipped`` fraction of steps) plus how training ended."""

    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: list[int] = field(default_factory=list)
    stopped_epoch: int = 0
    stop_reason: str = "epochs"
