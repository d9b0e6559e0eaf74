"""Many small recurrent networks (one per series, times ensemble members) as one module.

`RecurrentNet` puts K members in one native LSTM with block-diagonal weights; for a
thousand series that would be a dense matrix a thousand times larger than the work. Here every
weight has a leading *unit* dimension instead (unit ``g * members + k`` is member k of group
g), each time step is one batched matmul over the units (``torch.bmm`` of ``[state, input,
1]`` by the unit's stacked weights) and a few elementwise operations, one Python step per
time step, and each unit reads only its own group's windows. No operation mixes two units,
so a unit computes what it would compute alone, and its gradients are its own.

Each group's initial weights come from its own generator, seeded by `group_seed` from the
fit's seed and the series' id: a series gets the same initial network whether it is fitted
alone or among a thousand others, in any order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import torch
from torch import nn

__all__ = ["GATES", "ROWS", "GroupedRecurrentNet", "group_seed"]

#: Windows per group that `GroupedRecurrentNet.run_one` computes for one (see there).
ROWS = 16

#: Gate blocks per cell: LSTM (input, forget, output, candidate), GRU (reset, update, new),
#: Elman RNN (one tanh block).
GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def group_seed(seed: int, unique_id: str) -> int:
    """A 63-bit generator seed from the fit's seed and a series id (stable across runs,
    platforms and Python's hash randomisation)."""
    digest = hashlib.blake2b(f"{int(seed)}\x00{unique_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & (2**63 - 1)


class GroupedRecurrentNet(nn.Module):
    """``groups`` x ``members`` independent recurrent networks (``cell``: "lstm", "gru" or
    "rnn"), each with a linear head on its last hidden state.

    ``forward(x, groups=None)`` takes one window per row, (S, time, features), row i
    belonging to group ``groups[i]`` (default: row i is group i, S = groups), and returns
    (members, S, output_size), like `RecurrentNet`. Training uses `run`, which takes many
    windows per group and explicit (sliced) weights.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int,
                 output_size: int, groups: int, members: int = 1) -> None:
        super().__init__()
        if cell not in GATES:
            raise ValueError(f"unknown cell '{cell}': use one of {', '.join(GATES)}")
        self.cell = cell
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.output_size = output_size
        self.groups = groups
        self.members = members
        units, width = groups * members, GATES[cell] * hidden_size
        for layer in range(num_layers):
            inputs = input_size if layer == 0 else hidden_size
            for name, shape in ((f"weight_ih_l{layer}", (inputs, width)),
                                (f"weight_hh_l{layer}", (hidden_size, width)),
                                (f"bias_ih_l{layer}", (1, width)),
                                (f"bias_hh_l{layer}", (1, width))):
                self.register_parameter(name, nn.Parameter(torch.zeros(units, *shape)))
        self.head_weight = nn.Parameter(torch.zeros(units, hidden_size, output_size))
        self.head_bias = nn.Parameter(torch.zeros(units, 1, output_size))

    def reset_parameters(self, seeds: Sequence[int]) -> None:
        """Draw each group's weights from its own generator (one seed per group, e.g. from
        `group_seed`): uniform in +-1/sqrt(hidden) as torch initialises its recurrent
        layers, members one after the other, parameters in registration order."""
        if len(seeds) != self.groups:
            raise ValueError(f"{len(seeds)} seeds for {self.groups} groups")
        params = list(self.parameters())
        sizes = [p[0].numel() * self.members for p in params]
        bound = 1.0 / self.hidden_size**0.5
        with torch.no_grad():
            draws = torch.stack([
                torch.rand(sum(sizes), generator=torch.Generator().manual_seed(int(s)))
                for s in seeds
            ])  # (groups, all of one group's weights)
            draws.mul_(2 * bound).sub_(bound)
            for p, block in zip(params, draws.split(sizes, dim=1), strict=True):
                p.copy_(block.reshape(p.shape))

    def weights(self) -> dict[str, torch.Tensor]:
        return dict(self.named_parameters())

    def forward(self, x: torch.Tensor, groups: torch.Tensor | None = None) -> torch.Tensor:
        if groups is None:
            if x.shape[0] != self.groups:
                raise ValueError(f"{x.shape[0]} rows for {self.groups} groups: pass groups=")
            weights = self.weights()
        else:
            units = (groups.view(-1, 1) * self.members + torch.arange(self.members)).view(-1)
            weights = {k: w.index_select(0, units) for k, w in self.named_parameters()}
        return self.run_one(weights, x)[:, :, 0, :].transpose(0, 1)

    def run_one(self, weights: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """`run` for one window per group, (G, time, features) -> (G, members, 1, outputs).
        The window is padded with zero windows to ROWS rows: torch's vectorised loops compute
        a tensor's last ``size % 16`` values with scalar code (another exp, no fused
        multiply-add), and with 16 rows no unit's values land there, alone or in a group."""
        padded = x.new_zeros(x.shape[0], ROWS, *x.shape[1:])
        padded[:, 0] = x
        return self.run(weights, padded)[:, :, :1, :]

    def run(self, weights: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """Windows (G, B, time, features) of G groups through those groups' units' weights
        (leading dimension G * members) -> (G, members, B, output_size)."""
        g, b, t, c = x.shape
        k, h = self.members, self.hidden_size
        units = g * k
        # every unit reads its group's windows, time first; a column of ones carries the biases
        ones = x.new_ones(units, b, 1)
        inputs = x.permute(2, 0, 1, 3).unsqueeze(2).expand(t, g, k, b, c).reshape(t, units, b, c)
        stacked = [self._stacked(weights, layer) for layer in range(self.num_layers)]
        states = [x.new_zeros(units, b, h) for _ in stacked]
        cells = [x.new_zeros(units, b, h) for _ in stacked]
        # unbind and chunk, not indexing: their backward writes each gradient once (an
        # index's backward fills a zero tensor the size of the whole input, every step)
        for below in inputs.unbind(0):
            for layer, w in enumerate(stacked):
                pre = torch.bmm(torch.cat([states[layer], below, ones], dim=-1), w)
                if self.cell == "lstm":
                    # one sigmoid for all four gates: the candidate's tanh is 2 sigmoid(2a) - 1
                    i, f, o, g2 = torch.sigmoid(pre).chunk(4, -1)
                    cells[layer] = torch.addcmul(f * cells[layer], i, g2 * 2.0 - 1.0)
                    states[layer] = o * _tanh(cells[layer])
                elif self.cell == "gru":
                    rz, n_x, n_h = pre.split([2 * h, h, h], -1)
                    r, z = torch.sigmoid(rz).chunk(2, -1)
                    new = _tanh(torch.addcmul(n_x, r, n_h))
                    states[layer] = torch.addcmul(new, z, states[layer] - new)
                else:
                    states[layer] = _tanh(pre)
                below = states[layer]
        out = torch.baddbmm(weights["head_bias"], states[-1], weights["head_weight"])
        return out.view(g, k, b, self.output_size)

    def _stacked(self, weights: Mapping[str, torch.Tensor], layer: int) -> torch.Tensor:
        """One layer's weights as one matrix per unit, rows (hidden state, input, 1), so that
        a step is one batched matmul of ``[state, input, 1]``. LSTM columns are the gates
        (i, f, o, candidate), the candidate's doubled for `_tanh`; GRU columns are (reset and
        update, new gate's input part, new gate's hidden part), as the reset gate multiplies
        the hidden part only."""
        w_ih, w_hh = weights[f"weight_ih_l{layer}"], weights[f"weight_hh_l{layer}"]
        b_ih, b_hh = weights[f"bias_ih_l{layer}"], weights[f"bias_hh_l{layer}"]
        if self.cell != "gru":
            w = torch.cat([w_hh, w_ih, b_ih + b_hh], dim=1)
            if self.cell == "lstm":
                h = self.hidden_size
                scale = torch.ones(4 * h, dtype=w.dtype)
                scale[3 * h :] = 2.0
                w = w * scale
            return w
        h = self.hidden_size
        zeros_h = w_hh.new_zeros(w_hh.shape[0], h, h)
        zeros_i = w_ih.new_zeros(w_ih.shape[0], w_ih.shape[1], h)
        return torch.cat([
            torch.cat([w_hh[..., : 2 * h], zeros_h, w_hh[..., 2 * h :]], dim=2),
            torch.cat([w_ih, zeros_i], dim=2),
            torch.cat([b_ih[..., : 2 * h] + b_hh[..., : 2 * h], b_ih[..., 2 * h :],
                       b_hh[..., 2 * h :]], dim=2),
        ], dim=1)


def _tanh(x: torch.Tensor) -> torch.Tensor:
    """tanh as 2 sigmoid(2x) - 1: the same function, but torch's CPU sigmoid is several
    times faster than its tanh (about 0.7 vs 6 ns an element, one thread, torch 2.13)."""
    return torch.sigmoid(x * 2.0) * 2.0 - 1.0

