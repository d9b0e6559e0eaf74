"""The network of a `Forecaster`: a `RecurrentNet` (the point, then any quantile heads),
the covariate/embedding/seq2seq network of `rnnforecast.forecaster.inputs`, or the grouped
network of ``local=True``. Torch is imported only here, when a network is built."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnforecast.data.windows import N_CHANNELS
from rnnforecast.forecaster.heads import output_blocks
from rnnforecast.forecaster.inputs import build_net as build_input_net

if TYPE_CHECKING:
    from rnnforecast.models import RecurrentNet
    from rnnforecast.models.grouped import GroupedRecurrentNet

__all__ = ["build_net", "local_net"]


def local_net(f: Any, output_size: int) -> GroupedRecurrentNet:
    """The grouped network of ``local=True``, one group per series of ``series_`` (in
    that order), its weights all zero until set."""
    from rnnforecast.models.grouped import GroupedRecurrentNet

    return GroupedRecurrentNet(
        f.model, N_CHANNELS, int(f.settings_["hidden_size"]), int(f.num_layers),
        output_size, groups=len(f.series_), members=int(f.settings_["ensemble"]))


def build_net(f: Any, output_size: int) -> RecurrentNet:
    """The untrained network of a model whose ``settings_`` (and ``series_``) are known,
    seeded with its ``seed``: what fit trains and load fills with the saved weights."""
    import torch

    from rnnforecast.models import RecurrentNet

    torch.manual_seed(int(f.seed))
    if f.local:  # one network per series: fit draws its weights, load reads them
        grouped: Any = local_net(f, output_size)
        return grouped
    # seq2seq, covariates or an embedding: the network for `forecaster.inputs`' windows
    special = build_input_net(f, output_size * output_blocks(f), output_blocks(f))
    if special is not None:
        return special
    return RecurrentNet(
        f.model, N_CHANNELS, int(f.settings_["hidden_size"]), int(f.num_layers),
        output_size * output_blocks(f),  # the point, then any quantile heads
        dropout=float(f.dropout), members=int(f.settings_["ensemble"]),
    )
