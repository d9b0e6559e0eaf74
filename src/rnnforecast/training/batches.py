"""Where the training loop's input windows come from: a tensor of every window, or a
`BankWindows` that gathers each batch from a `WindowBank` on the training device.

The loop asks only for ``len(x)``, ``x[idx]`` (a batch, idx a CPU index tensor) and, when
one batch holds every window, `all_windows` once: small data trains exactly as fast as
from a tensor, large panels never hold all their windows at once.
"""

from __future__ import annotations

from typing import Protocol

import torch

from rnnforecast.data.window_bank import WindowBank


class WindowSource(Protocol):
    """What the training loop reads windows (N, T, C) from, besides a tensor."""

    def __len__(self) -> int: ...

    def __getitem__(self, idx: torch.Tensor) -> torch.Tensor: ...

    def all_windows(self) -> torch.Tensor: ...


class BankWindows:
    """A `WindowBank` on ``device``: each batch is gathered there in float64 with the
    arithmetic of `make_windows`, then cast, so batches are bit-identical to the rows of
    the materialised float32 windows. Gathering costs a few times more than indexing a
    tensor (about 1 ms for 1024 windows of 168 steps on one CPU thread), which is small
    beside a recurrent network's step on the same batch."""

    def __init__(self, bank: WindowBank, device: torch.device) -> None:
        self.lookback = bank.lookback
        self.device = device
        # (steps - lookback + 1, lookback) views: one row per possible window start
        self._values = torch.from_numpy(bank.values).to(device).unfold(0, bank.lookback, 1)
        self._observed = torch.from_numpy(bank.observed).to(device).unfold(0, bank.lookback, 1)
        self._starts = torch.from_numpy(bank.starts).to(device)
        self._shift = None if bank.shift is None else torch.from_numpy(bank.shift).to(device)
        self._divisor = None if bank.divisor is None else (
            torch.from_numpy(bank.divisor).to(device))
        self._all: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self._starts.numel())

    def __getitem__(self, idx: torch.Tensor) -> torch.Tensor:
        idx = idx.to(self.device)
        starts = self._starts[idx]
        values = self._values.index_select(0, starts)  # float64 copy: (batch, lookback)
        observed = self._observed.index_select(0, starts)
        if self._shift is not None and self._divisor is not None:
            # (value - shift) / divisor where observed, else 0: `make_windows`' level inputs
            values.sub_(self._shift[idx, None]).div_(self._divisor[idx, None])
            values.masked_fill_(observed <= 0, 0.0)
        out = torch.empty((idx.numel(), self.lookback, 2), dtype=torch.float32,
                          device=self.device)
        out[:, :, 0] = values
        out[:, :, 1] = observed
        return out

    def all_windows(self) -> torch.Tensor:
        """Every window, gathered once and kept (full-batch training reads it each epoch)."""
        if self._all is None:
            self._all = self[torch.arange(len(self))]
        return self._all
