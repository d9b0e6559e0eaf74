"""The direct multi-output network with extra inputs: covariates, known-future steps and a
series embedding (`rnnforecast.data.covariates` lays out its windows).

The recurrent stack reads every step of the window, the ``horizon`` known-future steps after
the lookback included, and its last state feeds the head, as in `RecurrentNet`. The final
state alone would have to remember every future value to place each one's effect on the
right output; so the flattened future-known inputs also reach the head through a linear map
(``future_weight``, zero at the start, one per member): the value at step j can move output
k directly, and the recurrence still learns any non-linear effect.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnforecast.models.embedding import SeriesEmbedding
from rnnforecast.models.recurrent import RecurrentNet


class DirectNet(RecurrentNet):
    """`RecurrentNet` + future inputs to the head + optional embedding. Input (batch, steps,
    C): channels ``future_from .. future_from + future`` of the last ``horizon`` steps are the
    future-known inputs; with ``width`` > 0 the last channel is the series index."""

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int,
                 output_size: int, *, future_from: int, future: int, horizon: int,
                 dropout: float = 0.0, members: int = 1, series: int = 0,
                 width: int = 0) -> None:
        extra = members * width - (1 if width else 0)  # index channel -> embedding columns
        super().__init__(cell, input_size + extra, hidden_size, num_layers, output_size,
                         dropout=dropout, members=members)
        self.future_from = future_from
        self.future = future
        self.horizon = horizon
        self.future_weight = (nn.Parameter(torch.zeros(members, horizon * future, output_size))
                              if future else None)
        self.embedding = SeriesEmbedding(series, width, members) if width else None
        if self.embedding is not None:
            self.embedding.restrict(self.rnn, hidden_size)

    def member_of(self) -> dict[str, torch.Tensor]:
        owners = super().member_of()
        if self.future_weight is not None:
            shape = self.future_weight.shape
            owners["future_weight"] = torch.arange(self.members).view(-1, 1, 1).expand(
                shape).contiguous()
        if self.embedding is not None:
            owners["embedding.table"] = self.embedding.owners()
        return owners

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.embedding is not None:
            x = self.embedding.append_to(x)
        out = super().forward(x)
        if self.future_weight is None:
            return out
        ahead = x[:, -self.horizon :, self.future_from : self.future_from + self.future]
        flat = ahead.reshape(1, x.shape[0], -1).expand(self.members, -1, -1)
        return out + torch.bmm(flat, self.future_weight)

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        if self.embedding is not None:
            x = self.embedding.append_to(x)
        return super().hidden_states(x)
