"""A learned vector per training series, fed to every step beside the other inputs.

The last input channel carries the series' index (-1 for a series not seen in training,
which gets the mean of the learned vectors). Each ensemble member has its own table slice,
and the first recurrent layer of member k sees only its own slice: its input weights to the
other members' columns are zero and stay zero (a mask on the weights and their gradients, as
`RecurrentNet` does for its recurrent weights), so members remain independent networks.
"""

from __future__ import annotations

import torch
from torch import nn


class SeriesEmbedding(nn.Module):
    """Table (series, members * width); ``forward(index)`` -> (batch, members * width)."""

    def __init__(self, series: int, width: int, members: int) -> None:
        super().__init__()
        self.width = width
        self.members = members
        self.table = nn.Parameter(torch.empty(max(series, 1), members * width))
        with torch.no_grad():
            self.table.normal_(0.0, 0.1)

    def forward(self, index: torch.Tensor) -> torch.Tensor:
        idx = index.round().long()
        rows = self.table[idx.clamp(min=0)]
        return torch.where((idx >= 0)[:, None], rows, self.table.mean(dim=0, keepdim=True))

    def append_to(self, x: torch.Tensor) -> torch.Tensor:
        """Replace the index channel of ``x`` (batch, time, C) by the series' vectors."""
        emb = self(x[:, 0, -1])
        return torch.cat([x[..., :-1], emb[:, None, :].expand(-1, x.shape[1], -1)], dim=-1)

    def owners(self) -> torch.Tensor:
        cols = torch.arange(self.table.shape[1]) // self.width
        return cols.expand_as(self.table).contiguous()

    def restrict(self, rnn: nn.RNNBase, hidden_size: int) -> None:
        """Let member k's first layer read only member k's columns (the last ones of the
        input) of the table: zero the other weights and mask their gradients."""
        if self.members == 1:
            return
        weight = rnn.get_parameter("weight_ih_l0")
        rows = torch.arange(weight.shape[0])
        row_member = (rows % (self.members * hidden_size)) // hidden_size
        start = weight.shape[1] - self.members * self.width
        col_member = torch.full((weight.shape[1],), -1, dtype=torch.long)
        col_member[start:] = torch.arange(self.members * self.width) // self.width
        mask = (col_member[None, :] < 0) | (col_member[None, :] == row_member[:, None])
        with torch.no_grad():
            weight.mul_(mask)
        weight.register_hook(lambda grad: grad * mask.to(grad.device))
