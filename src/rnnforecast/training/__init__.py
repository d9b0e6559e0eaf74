"""Training: the loop (batches from pre-built tensors or gathered from a window bank, Adam,
loss, clipping, early stopping), checkpoints, and where it runs (``devices``: CPU/GPU, bf16;
``distributed``: data-parallel training over torch.distributed behind a ``Shard``).

Importing the package is cheap: torch is imported with the loop, on first use of ``train``,
``TrainConfig`` or ``TrainResult`` (the device and process-group checks do not need it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnnforecast.training.config import TrainConfig, TrainResult
    from rnnforecast.training.loop import train

__all__ = ["TrainConfig", "TrainResult", "train"]

_LAZY = {"TrainConfig": "rnnforecast.training.config",
         "TrainResult": "rnnforecast.training.config",
         "train": "rnnforecast.training.loop"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rnnforecast.training' has no attribute {name!r}")
