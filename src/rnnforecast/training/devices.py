"""Where a network runs: ``device`` ("auto", "cpu", "cuda", "cuda:N") and ``precision``
("fp32", "bf16").

"auto" takes one GPU (``cuda:0``, or the local rank's GPU under torchrun) when CUDA is
present and the CPU otherwise; it never spreads over all GPUs by itself (data-parallel
training is asked for explicitly with torchrun). The model file is the same whichever device
trained it: tensors are always written from CPU copies and read onto the CPU first.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rnnforecast.errors import ConfigError

if TYPE_CHECKING:
    import torch

__all__ = ["DEVICES", "PRECISIONS", "autocast", "check_device", "resolve_device"]

DEVICES = ("auto", "cpu", "cuda", "cuda:N")
PRECISIONS = ("fp32", "bf16")
_CUDA = re.compile(r"^cuda(:\d+)?$")


def check_device(device: Any, precision: Any) -> None:
    """`ConfigError` for a device or precision spelled wrongly (availability is checked
    only when a network is placed, so a model file loads anywhere)."""
    if not isinstance(device, str) or not (device in ("auto", "cpu") or _CUDA.match(device)):
        raise ConfigError(f"device={device!r} is invalid: use one of {', '.join(DEVICES)}")
    if precision not in PRECISIONS:
        raise ConfigError(f"precision={precision!r} is invalid: use one of "
                          f"{', '.join(PRECISIONS)}")


def resolve_device(device: str, *, strict: bool = True) -> torch.device:
    """The torch device for ``device``. "auto": one GPU when CUDA is available (the local
    rank's under torchrun), else the CPU. An explicit "cuda" without CUDA is a `ConfigError`
    when ``strict`` (fitting), and falls back to the CPU otherwise (loading a GPU-trained
    model on a CPU-only machine)."""
    import torch

    if device == "cpu":
        return torch.device("cpu")
    available = torch.cuda.is_available()
    if device == "auto":
        if not available:
            return torch.device("cpu")
        local = int(os.environ.get("LOCAL_RANK", "0"))
        return torch.device(f"cuda:{local % torch.cuda.device_count()}")
    if not available:
        if strict:
            raise ConfigError(f"device={device!r} but no CUDA GPU is available to torch "
                              f"{torch.__version__}: use device='auto' or 'cpu'")
        return torch.device("cpu")
    index = int(device.split(":")[1]) if ":" in device else 0
    if index >= torch.cuda.device_count():
        if strict:
            raise ConfigError(f"device={device!r} but only {torch.cuda.device_count()} GPU(s) "
                              "are visible: use a lower index or device='auto'")
        return torch.device("cuda:0")
    return torch.device(f"cuda:{index}")


@contextlib.contextmanager
def autocast(device: torch.device, precision: str) -> Iterator[None]:
    """bf16 autocast on a GPU when ``precision="bf16"``; nothing otherwise (on the CPU bf16
    recurrent kernels are slower than fp32, so the option is a no-op there)."""
    if precision == "bf16" and device.type == "cuda":
        import torch

        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            yield
    else:
        yield
