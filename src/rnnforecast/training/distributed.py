"""Data-parallel training of one global model over ``torch.distributed``.

Launched by ``torchrun --standalone --nproc-per-node N -m rnnforecast fit ...`` (or any
launcher that sets ``RANK``/``WORLD_SIZE``/``MASTER_ADDR``/``MASTER_PORT``): each rank keeps
one contiguous block of the series (sorted by ``unique_id``; with a Parquet dataset it reads
only that block), builds its own windows, and the ranks train one model together. gloo on
the CPU, NCCL on GPUs.

Why this gives the same model as one process (to float rounding): every rank draws the same
permutation of all window indices from the shared seed (indices only: cheap), takes from each
global batch the windows it owns, and computes (sum of its per-sample losses) / (global batch
size). The gradients are summed over ranks (one all-reduce of a flat buffer per step), so each
rank holds the one-process gradient; per-member clipping then acts on that global gradient
and the identical Adam steps keep the ranks' weights identical without broadcasts. Training
and validation losses are summed the same way, so early stopping decides identically
everywhere. Only rank 0 writes checkpoints and outputs; every rank ends with the whole model
(the fitted per-series states are gathered as JSON, never pickled).

We do not wrap the network in ``DistributedDataParallel``: DDP averages gradients over ranks
and assumes every rank runs a forward pass on an equal share of each batch, while ownership
splits give ranks unequal (sometimes empty) shares; summing ourselves is exact and also keeps
the network a plain `RecurrentNet` (same parameter names, same checkpoint and model file).

`DataParallelShard` is what the training loop sees of all this (the `Shard` interface of
`rnnforecast.training.shard`); `fit_input` gives a fit its process group and its block of the
data.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rnnforecast.errors import ConfigError, DataError

if TYPE_CHECKING:
    import torch

    from rnnforecast.data.window_bank import WindowBank
    from rnnforecast.models import RecurrentNet
    from rnnforecast.training.checkpoint import Checkpoint
    from rnnforecast.training.shard import Loss

__all__ = ["DataParallelShard", "Distributed", "distributed_context", "fit_input",
           "is_main_process"]

#: seconds a collective may wait for the other ranks before failing (a hang becomes an error)
TIMEOUT_ENV = "RNNFORECAST_DIST_TIMEOUT"


def _world_from_env() -> int:
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        return 1


def is_main_process() -> bool:
    """False on every rank but 0 of a torchrun job: those ranks write no files."""
    try:
        return int(os.environ.get("RANK", "0")) == 0
    except ValueError:
        return True


def distributed_context(device: str = "cpu") -> Distributed | None:
    """The running job's process group (initialised here from torchrun's environment when
    nobody has done it yet), or None for an ordinary single-process fit. Cheap when not
    distributed: torch is not imported for the check."""
    world = _world_from_env()
    initialised = False
    if "torch" in sys.modules:
        import torch.distributed as dist

        initialised = dist.is_available() and dist.is_initialized()
    if world <= 1 and not initialised:
        return None
    import torch
    import torch.distributed as dist

    if not initialised:
        from rnnforecast.training.devices import resolve_device

        place = resolve_device(device)
        backend = "nccl" if place.type == "cuda" else "gloo"
        if backend == "nccl":  # NCCL works on the current device: this rank's GPU
            torch.cuda.set_device(place)
        timeout = float(os.environ.get(TIMEOUT_ENV, "600"))
        dist.init_process_group(backend, timeout=timedelta(seconds=timeout))
        atexit.register(_destroy)
    if dist.get_world_size() <= 1:
        return None
    comm = torch.device("cuda", torch.cuda.current_device()) \
        if dist.get_backend() == "nccl" else torch.device("cpu")
    return Distributed(dist.get_rank(), dist.get_world_size(), comm)


def _destroy() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


class Distributed:
    """This rank's view of the job: which series it owns, and the few collectives a fit
    needs (on small CPU tensors with gloo, on the GPU with NCCL)."""

    def __init__(self, rank: int, world: int, comm_device: torch.device) -> None:
        self.rank = rank
        self.world = world
        self.comm_device = comm_device

    # ------------------------------------------------------------------ collectives

    def _sum(self, values: Sequence[float], dtype: Any = None) -> np.ndarray:
        import torch
        import torch.distributed as dist

        t = torch.tensor(list(values), dtype=dtype or torch.float64, device=self.comm_device)
        dist.all_reduce(t)
        return t.cpu().numpy()

    def sum_int(self, value: int) -> int:
        import torch

        return int(self._sum([value], torch.int64)[0])

    def max_int(self, value: int) -> int:
        import torch
        import torch.distributed as dist

        t = torch.tensor([value], dtype=torch.int64, device=self.comm_device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return int(t.item())

    def gather_counts(self, value: int) -> list[int]:
        """``value`` of every rank, in rank order."""
        import torch
        import torch.distributed as dist

        t = torch.tensor([value], dtype=torch.int64, device=self.comm_device)
        out = [torch.zeros_like(t) for _ in range(self.world)]
        dist.all_gather(out, t)
        return [int(o.item()) for o in out]

    def gather_bytes(self, data: bytes) -> list[bytes]:
        """Every rank's ``data``, in rank order (padded uint8 tensors: no pickle)."""
        import torch
        import torch.distributed as dist

        sizes = self.gather_counts(len(data))
        buf = torch.zeros(max(sizes), dtype=torch.uint8)
        if data:
            buf[: len(data)] = torch.frombuffer(bytearray(data), dtype=torch.uint8)
        buf = buf.to(self.comm_device)
        out = [torch.zeros_like(buf) for _ in range(self.world)]
        dist.all_gather(out, buf)
        return [bytes(o.cpu().numpy()[:n].tobytes()) for o, n in zip(out, sizes, strict=True)]

    # --------------------------------------------------------------------- the data

    def block(self, ids: Sequence[str]) -> list[str]:
        """This rank's contiguous block of ``ids`` (sorted): the series it reads and owns."""
        ordered = sorted(ids)
        if len(ordered) < self.world:
            raise ConfigError(f"{self.world} processes for {len(ordered)} series: start at most "
                              f"{len(ordered)} processes (--nproc-per-node)")
        n = len(ordered)
        return ordered[self.rank * n // self.world: (self.rank + 1) * n // self.world]

    def keep_block(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of this rank's series. Every rank given the same series: its block of
        them; ranks given disjoint series (data already split, e.g. by the caller): each
        keeps its own; anything else is a `DataError`."""
        ids = [str(u) for u in pd.unique(frame["unique_id"])]
        every = self.gather_json([ids])
        if all(other == every[0] for other in every):
            mine = set(self.block(ids))
            return frame[frame["unique_id"].astype(str).isin(mine)].reset_index(drop=True)
        seen: set[str] = set()
        for other in every:
            if seen.intersection(other):
                raise DataError("the processes of this data-parallel fit were given "
                                "overlapping but different series: give every process the "
                                "same data, or each its own disjoint part")
            seen.update(other)
        return frame

    def same_frequency(self, freq: str) -> str:
        """The common frequency of all ranks' series (a `DataError` when they differ)."""
        freqs = sorted({b.decode() for b in self.gather_bytes(freq.encode())})
        if len(freqs) > 1:
            raise DataError(f"the series mix frequencies {freqs}; fit series of one frequency "
                            "together")
        return freqs[0]

    def gather_json(self, items: list[Any]) -> list[Any]:
        """Concatenate every rank's JSON-able ``items`` in rank order."""
        out: list[Any] = []
        for part in self.gather_bytes(json.dumps(items).encode()):
            out.extend(json.loads(part.decode()))
        return out

    def fingerprint_arrays(self, arrays: Sequence[np.ndarray | WindowBank]) -> list[np.ndarray]:
        """What a checkpoint's data fingerprint hashes: the sha256 of every rank's arrays and
        the world size (a resume must use the same data split)."""
        from rnnforecast.training.checkpoint import digest_array

        digest = hashlib.sha256()
        for a in arrays:
            digest_array(digest, a)
        joined = b"".join(self.gather_bytes(digest.digest()))
        return [np.frombuffer(joined, dtype=np.uint8), np.array([self.world], dtype=np.int64)]

    def checkpoint(self, store: Checkpoint | None) -> Checkpoint | None:
        """Rank 0 writes the checkpoint; the other ranks only read it to resume."""
        if store is None or self.rank == 0:
            return store
        from rnnforecast.training.checkpoint import Checkpoint

        class _ReadOnly(Checkpoint):
            def save(self, state: Any) -> None:
                return None

        follower = _ReadOnly.__new__(_ReadOnly)
        follower.__dict__.update(store.__dict__)
        return follower

    def shard(self, n_local: int, n_val_local: int) -> DataParallelShard:
        counts = self.gather_counts(n_local)
        return DataParallelShard(self, sum(counts[: self.rank]), n_local, sum(counts),
                     self.sum_int(n_val_local))


class DataParallelShard:
    """The `Shard` of one rank of a data-parallel fit (see the module docstring)."""

    def __init__(self, dist: Distributed, offset: int, n_local: int, total: int,
                 val_total: int) -> None:
        self.dist = dist
        self.offset = offset
        self.n_local = n_local
        self.total = total
        self.val_total = val_total

    def local_index(self, idx: torch.Tensor) -> torch.Tensor:
        """The local positions of the global window indices this rank owns."""
        mine = (idx >= self.offset) & (idx < self.offset + self.n_local)
        return idx[mine] - self.offset

    def member_loss(self, loss_fn: Loss, net: RecurrentNet, xb: torch.Tensor, yb: torch.Tensor,
                    size: int) -> torch.Tensor:
        """Per-member loss of this rank's windows scaled to the global batch of ``size``
        windows: the ranks' values add up to the one-process mean."""
        import torch

        if xb.shape[0] == 0:  # nothing owned in this batch: zero loss, zero gradient
            zero = sum((p.sum() for p in net.parameters()), torch.zeros(()))
            return (zero * 0.0).expand(net.members).clone()
        losses = loss_fn(net(xb), yb.unsqueeze(0))  # (members, batch, outputs)
        return losses.sum(dim=(1, 2)) / (size * losses.shape[2])

    def val_loss(self, loss_fn: Loss, net: RecurrentNet, x_val: torch.Tensor | None,
                 y_val: torch.Tensor | None) -> torch.Tensor:
        """Per-member mean validation loss over all ranks' validation windows."""
        import torch
        import torch.distributed as dist

        part = torch.zeros(net.members, dtype=torch.float64)
        if x_val is not None and y_val is not None and x_val.shape[0] > 0:
            with torch.inference_mode():
                losses = loss_fn(net(x_val), y_val.unsqueeze(0))
            part = losses.double().sum(dim=(1, 2)).cpu() / (self.val_total * losses.shape[2])
        part = part.to(self.dist.comm_device)
        dist.all_reduce(part)
        return part.float().cpu()

    def reduce_grads(self, params: list[torch.Tensor]) -> None:
        """Sum the gradients over ranks (one flat buffer), before clipping."""
        import torch
        import torch.distributed as dist

        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        grads = [p.grad for p in params if p.grad is not None]
        flat = torch.cat([g.reshape(-1) for g in grads]).to(self.dist.comm_device)
        dist.all_reduce(flat)
        start = 0
        for g in grads:
            g.copy_(flat[start: start + g.numel()].view_as(g))
            start += g.numel()

    def reduce_sum(self, value: torch.Tensor) -> torch.Tensor:
        """A scalar tensor summed over ranks."""
        import torch.distributed as dist

        t = value.detach().double().reshape(1).to(self.dist.comm_device)
        dist.all_reduce(t)
        return t.cpu().reshape(())


def fit_input(data: Any, fill: Any, device: str, covariates: Sequence[str] = (),
              ) -> tuple[Distributed | None, pd.DataFrame]:
    """The process group (None when not distributed) and the canonical frame a fit trains
    on: the whole data, or under torchrun this rank's block of series (a Parquet dataset is
    then read for that block only). ``covariates``: extra columns to keep (`read_series`)."""
    from rnnforecast.data.parquet import is_parquet, parquet_ids, read_parquet_series
    from rnnforecast.data.reader import read_series

    dist = distributed_context(device)
    if is_parquet(data):
        ids = None if dist is None else dist.block(parquet_ids(data))
        if covariates:
            raise ConfigError("covariates (past_cols, future_cols) are read from CSV files "
                              "and DataFrames, not yet from Parquet datasets")
        return dist, read_parquet_series(data, ids=ids, fill=fill)
    frame = read_series(data, fill=fill, covariates=covariates)
    return dist, frame if dist is None else dist.keep_block(frame)
