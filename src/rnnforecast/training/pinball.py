"""The loss of a network with quantile heads: the point loss on the point outputs, the
pinball (quantile) loss on the others.

The output row of such a network is ``[point (h), q_1 (h), ..., q_Q (h)]``. The returned
elementwise tensor is weighted so that its mean is ``mean(point loss) + mean over quantiles
of mean(pinball)``: the point outputs get the same gradient as in a network without
quantile heads, whatever the number of quantiles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

__all__ = ["pinball", "with_quantiles"]


def pinball(pred: torch.Tensor, target: torch.Tensor, q: float) -> torch.Tensor:
    """Elementwise pinball loss of quantile ``q``: ``max(q (y - f), (q - 1) (y - f))``; its
    expectation is minimised by the q-quantile of y."""
    diff = target - pred
    return torch.maximum(q * diff, (q - 1.0) * diff)


def with_quantiles(point_loss: LossFn, quantiles: Sequence[float]) -> LossFn:
    """The loss of ``[point, quantile...]`` outputs: ``point_loss`` on the first ``h``
    columns (``h`` = the target's width) and `pinball` for each quantile's ``h`` columns."""
    qs = [float(q) for q in quantiles]
    n = len(qs)

    def loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        h = target.shape[-1]
        parts = [point_loss(pred[..., :h], target) * (1 + n)]
        for i, q in enumerate(qs, start=1):
            parts.append(pinball(pred[..., i * h:(i + 1) * h], target, q) * ((1 + n) / n))
        return torch.cat(parts, dim=-1)

    return loss
