"""Beyond one CPU: devices (CPU/GPU, bf16), data-parallel training over torch.distributed,
partitioned Parquet input and per-series jobs on Dask.

Nothing here is imported by ``import rnnforecast``; the optional dependencies (pyarrow,
dask.distributed) come with ``pip install 'rnnforecast[scale]'`` and are imported only when
a Parquet dataset or the Dask backend is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rnnforecast.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from rnnforecast.scale.distributed import Distributed

__all__ = ["fit_input", "require"]


def require(module: str, what: str) -> None:
    """Import ``module`` or raise a `ConfigError` telling the user to install the extra."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"{what} needs the optional package '{module.split('.')[0]}': install it with "
            "pip install 'rnnforecast[scale]'"
        ) from None


def fit_input(data: Any, fill: Any, device: str, covariates: Sequence[str] = (),
              ) -> tuple[Distributed | None, pd.DataFrame]:
    """The process group (None when not distributed) and the canonical frame a fit trains
    on: the whole data, or under torchrun this rank's block of series (a Parquet dataset is
    then read for that block only). ``covariates``: extra columns to keep (`read_series`)."""
    from rnnforecast.data.reader import read_series
    from rnnforecast.scale.distributed import distributed_context
    from rnnforecast.scale.parquet import is_parquet, parquet_ids, read_parquet_series

    dist = distributed_context(device)
    if is_parquet(data):
        ids = None if dist is None else dist.block(parquet_ids(data))
        if covariates:
            raise ConfigError("covariates (past_cols, future_cols) are read from CSV files "
                              "and DataFrames, not yet from Parquet datasets")
        return dist, read_parquet_series(data, ids=ids, fill=fill)
    frame = read_series(data, fill=fill, covariates=covariates)
    return dist, frame if dist is None else dist.keep_block(frame)
