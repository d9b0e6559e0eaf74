"""Recurrent forecasting networks: RNN (Elman, tanh), LSTM and GRU stacks with a linear head.

`RecurrentNet` holds ``members`` independent networks as one module: a single native
``nn.LSTM``/``nn.GRU``/``nn.RNN`` call with ``members * hidden_size`` units whose recurrent
and inter-layer weight matrices are block-diagonal (a mask zeroes the cross-member blocks and
their gradients), and one head per member. Members never exchange information, so a seed
ensemble (or a set of per-series models) trains in one pass of the fast native kernel instead
of a Python loop over small networks.
"""

from __future__ import annotations

import torch
from torch import nn

CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentNet(nn.Module):
    """``members`` independent recurrent networks; input (batch, time, features), output
    (members, batch, output_size) read from the last time step's hidden state."""

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        output_size: int,
        dropout: float = 0.0,
        members: int = 1,
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown cell '{cell}': use one of {', '.join(CELLS)}")
        self.cell = cell
        self.members = members
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        width = members * hidden_size
        self.rnn = CELLS[cell](  # type: ignore[call-arg]
            input_size,  # type: ignore[arg-type]
            width,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.head_weight = nn.Parameter(torch.empty(members, hidden_size, output_size))
        self.head_bias = nn.Parameter(torch.zeros(members, output_size))
        self._owners: dict[str, torch.Tensor] = {}
        self._init_members()

    def _init_members(self) -> None:
        """Give each member the initialisation a standalone network of its size would get
        (uniform in +-1/sqrt(hidden), as torch does), and mask the cross-member blocks."""
        h, k = self.hidden_size, self.members
        bound = 1.0 / h**0.5
        with torch.no_grad():
            for name, param in self.rnn.named_parameters():
                param.uniform_(-bound, bound)
                owner = torch.zeros(param.shape, dtype=torch.long)
                mask = torch.zeros(param.shape, dtype=torch.bool)
                rows = torch.arange(param.shape[0])
                row_member = (rows % (k * h)) // h  # gate blocks are stacked along rows
                owner[:] = row_member.view(-1, *([1] * (param.dim() - 1)))
                is_hidden_input = name.startswith("weight_ih") and not name.endswith("_l0")
                if name.startswith("weight_hh") or is_hidden_input:
                    cols = torch.arange(param.shape[1]) // h
                    mask = row_member[:, None] == cols[None, :]
                else:
                    mask[:] = True
                param.mul_(mask)
                self.register_buffer(f"mask_{name}", mask, persistent=False)
                self._owners[name] = owner
                if self.members > 1:  # one member owns every entry: nothing to mask
                    param.register_hook(lambda grad, m=mask: grad * m.to(grad.device))
            self.head_weight.uniform_(-bound, bound)
            self.head_bias.uniform_(-bound, bound)

    def member_of(self) -> dict[str, torch.Tensor]:
        """For every parameter, the member that owns each entry (for per-member clipping and
        early stopping)."""
        owners = {f"rnn.{name}": owner for name, owner in self._owners.items()}
        h_owner = torch.arange(self.members).view(-1, 1, 1).expand_as(self.head_weight)
        owners["head_weight"] = h_owner.contiguous()
        b_owner = torch.arange(self.members).view(-1, 1).expand_as(self.head_bias)
        owners["head_bias"] = b_owner.contiguous()
        return owners

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        last = out[:, -1, :].view(x.shape[0], self.members, self.hidden_size)
        # (members, batch, hidden) @ (members, hidden, outputs) + bias, one batched matmul
        return torch.baddbmm(self.head_bias[:, None, :], last.transpose(0, 1), self.head_weight)

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden states of the top layer at every step: (batch, time, members * hidden)."""
        out, _ = self.rnn(x)
        return out
