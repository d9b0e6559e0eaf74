"""Encoder-decoder ("seq2seq"): a recurrent encoder reads the lookback window, a recurrent
decoder of the same cell runs over the horizon from the encoder's final state, and one linear
head shared by all horizon steps turns each decoder state into that step's output.

Input (batch, lookback + horizon, C): the first ``lookback`` steps go to the encoder (all
channels), the last ``horizon`` steps give the decoder its inputs: the channels from
``decoder_from`` on (future-known covariates, calendar features, the series embedding)
plus a constant 1, so a model without covariates still has an input. The decoder is *not*
fed its own previous output: it runs as one native kernel call over the horizon, training
and forecasting see the same inputs (no teacher forcing or exposure bias), and step k's
output depends only on steps <= k of the horizon (causal).

Members work as in `RecurrentNet`: encoder and decoder are block-diagonal over members, the
encoder's block k initialises the decoder's block k, and each member has its own head. With
``blocks`` > 1 (quantile heads) the head gives ``blocks`` values per step and the output is
laid out block by block (all steps of the point forecast, then of each quantile), as a
direct network's.
"""

from __future__ import annotations

import torch

from rnnforecast.models.embedding import SeriesEmbedding
from rnnforecast.models.recurrent import RecurrentNet


class Seq2SeqNet(RecurrentNet):
    """The encoder is the inherited ``rnn``; its head (``blocks`` outputs) is the shared
    per-step head; ``decoder`` is a second block-diagonal stack of the same cell.
    Output (members, batch, blocks * horizon)."""

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int,
                 horizon: int, *, decoder_from: int, dropout: float = 0.0, members: int = 1,
                 blocks: int = 1, series: int = 0, width: int = 0) -> None:
        extra = members * width - (1 if width else 0)  # index channel -> embedding columns
        super().__init__(cell, input_size + extra, hidden_size, num_layers, blocks,
                         dropout=dropout, members=members)
        self.horizon = horizon
        self.blocks = blocks
        self.decoder_from = decoder_from
        decoder_inputs = 1 + input_size + extra - decoder_from
        # a RecurrentNet builds the masked block-diagonal stack; only its `rnn` is kept
        template = RecurrentNet(cell, decoder_inputs, hidden_size, num_layers, 1,
                                dropout=dropout, members=members)
        self.decoder = template.rnn
        self._decoder_owners = {f"decoder.{k[4:]}": v for k, v in template.member_of().items()
                                if k.startswith("rnn.")}
        self.embedding = SeriesEmbedding(series, width, members) if width else None
        if self.embedding is not None:
            self.embedding.restrict(self.rnn, hidden_size)
            self.embedding.restrict(self.decoder, hidden_size)

    def member_of(self) -> dict[str, torch.Tensor]:
        owners = super().member_of()
        owners.update(self._decoder_owners)
        if self.embedding is not None:
            owners["embedding.table"] = self.embedding.owners()
        return owners

    def _decode(self, x: torch.Tensor) -> torch.Tensor:
        if self.embedding is not None:
            x = self.embedding.append_to(x)
        encoder_x, ahead = x[:, : -self.horizon], x[:, -self.horizon :, self.decoder_from :]
        _, state = self.rnn(encoder_x)
        ones = torch.ones(ahead.shape[0], ahead.shape[1], 1, dtype=x.dtype, device=x.device)
        out, _ = self.decoder(torch.cat([ones, ahead], dim=-1), state)
        return out  # (batch, horizon, members * hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self._decode(x)
        batch = out.shape[0]
        per_member = out.view(batch, self.horizon, self.members, self.hidden_size)
        # (members, batch * horizon, hidden) @ (members, hidden, blocks): one head, every step
        flat = per_member.permute(2, 0, 1, 3).reshape(self.members, -1, self.hidden_size)
        y = torch.baddbmm(self.head_bias[:, None, :], flat, self.head_weight)
        y = y.view(self.members, batch, self.horizon, self.blocks).transpose(2, 3)
        return y.reshape(self.members, batch, self.blocks * self.horizon)

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        """Decoder states over the horizon: (batch, horizon, members * hidden)."""
        return self._decode(x)
