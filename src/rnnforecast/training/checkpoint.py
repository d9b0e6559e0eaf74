"""Training checkpoints: what a fit needs to continue exactly where it stopped.

A `Checkpoint` is one file, ``<folder>/checkpoint.rnnf``, in the model file format (JSON and
raw tensors with a sha256, never pickle), rewritten atomically at the end of every epoch. It
holds the network's weights, the optimizer's moments and step count, each member's best
weights and best loss, the state of the generator that shuffles the batches and of torch's
global generator (dropout), the number of epochs done, the history, and a fingerprint of the
fit's settings and training data. A run killed at any moment leaves the checkpoint of its last
complete epoch; resuming restores all of it, so the resumed fit ends with the same weights, bit
for bit, as a fit that was never interrupted (same machine, same thread count).

The training loop only calls ``restore(state, epochs)`` before its first epoch and
``save(state)`` after each one; everything else lives here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from rnnforecast._version import __version__
from rnnforecast.data.window_bank import WindowBank
from rnnforecast.errors import ConfigError, ModelFileError
from rnnforecast.io.modelfile import read_model_file, write_model_file

if TYPE_CHECKING:
    from rnnforecast.models import RecurrentNet
    from rnnforecast.training.config import TrainResult
    from rnnforecast.training.optim import Adam

__all__ = ["CHECKPOINT_FILE", "Checkpoint", "TrainState", "fingerprint", "saved_epoch"]

CHECKPOINT_FILE = "checkpoint.rnnf"
KIND = "rnnforecast-checkpoint"


@dataclass
class TrainState:
    """Everything the training loop changes from epoch to epoch, as objects it changes in
    place (so that `Checkpoint.restore` can fill them)."""

    net: RecurrentNet
    optimizer: Adam
    generator: torch.Generator
    best: list[torch.Tensor]
    best_loss: torch.Tensor
    best_epoch: torch.Tensor
    result: TrainResult


def saved_epoch(folder: str | os.PathLike[str]) -> int | None:
    """The epochs done in the checkpoint now in ``folder`` (None: none, or not readable)."""
    try:
        meta, _ = read_model_file(Path(folder) / CHECKPOINT_FILE)
    except ModelFileError:
        return None
    return int(meta["epoch"]) if meta.get("kind") == KIND else None


def fingerprint(settings: dict[str, Any],
                arrays: Iterable[np.ndarray | WindowBank]) -> dict[str, Any]:
    """The settings (JSON-normalised) and a sha256 of the arrays' dtypes, shapes and bytes."""
    digest = hashlib.sha256()
    for array in arrays:
        digest_array(digest, array)
    normalised = json.loads(json.dumps(settings, allow_nan=False, default=_plain))
    return {"settings": normalised, "data_sha256": digest.hexdigest()}


def digest_array(digest: hashlib._Hash, array: np.ndarray | WindowBank) -> None:
    """Feed ``digest`` an array's dtype, shape and bytes; a `WindowBank` hashes as the float32
    array of its windows, so the fingerprint does not depend on how windows are stored."""
    if isinstance(array, WindowBank):
        array.hash_into(digest)
        return
    a = np.ascontiguousarray(array)
    digest.update(f"{a.dtype.str}{a.shape};".encode())
    digest.update(a.view(np.uint8).reshape(-1).data if a.size else b"")


class Checkpoint:
    """The checkpoint of one fit in ``folder``.

    Opening it checks the folder: a checkpoint already there is refused unless ``resume`` is
    true (a new fit never overwrites one by accident), and with ``resume`` it is read and
    verified now, before any training. ``resume`` with no checkpoint in the folder starts from
    the first epoch.
    """

    def __init__(self, folder: str | os.PathLike[str], *, resume: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / CHECKPOINT_FILE
        self.fingerprint: dict[str, Any] | None = None
        self._saved: tuple[dict[str, Any], dict[str, np.ndarray]] | None = None
        if self.folder.exists() and not self.folder.is_dir():
            raise ConfigError(f"checkpoint {self.folder} is a file: give a folder for the "
                              "training checkpoint")
        if not self.path.exists():
            self._remove_stale_temporaries()
            return
        meta, tensors = read_model_file(self.path)
        if meta.get("kind") != KIND:
            raise ModelFileError(f"{self.path}: not an rnnforecast training checkpoint")
        if not resume:
            raise ConfigError(
                f"{self.folder} already holds the checkpoint of a fit (epoch "
                f"{meta.get('epoch')}): continue it with resume=True (--resume), or give "
                "another folder"
            )
        self._saved = (meta, tensors)
        self._remove_stale_temporaries()

    def expect(self, settings: dict[str, Any],
               arrays: Iterable[np.ndarray | WindowBank]) -> None:
        """Record this fit's fingerprint; a checkpoint being resumed must have the same one."""
        self.fingerprint = fingerprint(settings, arrays)
        if self._saved is None:
            return
        saved = self._saved[0].get("fingerprint") or {}
        if saved == self.fingerprint:
            return
        old = saved.get("settings", {})
        new = self.fingerprint["settings"]
        changed = [f"{k} {old.get(k)!r} -> {new.get(k)!r}" for k in sorted(set(old) | set(new))
                   if old.get(k) != new.get(k)]
        if saved.get("data_sha256") != self.fingerprint["data_sha256"]:
            changed.append("other training data")
        raise ConfigError(
            f"{self.path} was written by a fit with other settings or data "
            f"({'; '.join(changed) or 'unknown fit'}): resume with the same data and settings, "
            "or give another folder to start a new fit"
        )

    def restore(self, state: TrainState, epochs: int) -> int:
        """Load the checkpoint being resumed into ``state``; return the first epoch still to
        run (``epochs`` when the saved fit had already stopped early)."""
        if self._saved is None:
            return 0
        meta, tensors = self._saved
        try:
            net = {k[4:]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith("net.")}
            state.net.load_state_dict(net, strict=True)
            state.optimizer.load_state_tensors(
                {k[6:]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith("optim.")}
            )
            with torch.no_grad():
                for i, best in enumerate(state.best):
                    _copy(best, tensors[f"best.{i}"], f"best.{i}")
                _copy(state.best_loss, tensors["best_loss"], "best_loss")
                _copy(state.best_epoch, tensors["best_epoch"], "best_epoch")
            state.generator.set_state(torch.from_numpy(tensors["generator"]))
            torch.set_rng_state(torch.from_numpy(tensors["torch_rng"]))
            result = state.result
            result.history = {k: [float(v) for v in values]
                              for k, values in meta["history"].items()}
            result.stop_reason = str(meta["stop_reason"])
            result.stopped_epoch = int(meta["epoch"])
        except (KeyError, ValueError, TypeError, RuntimeError) as exc:
            raise ModelFileError(
                f"{self.path}: the checkpoint does not fit this model ({exc}); give another "
                "folder to start a new fit"
            ) from None
        self._saved = None  # restored once; from now on this fit writes the checkpoint
        return epochs if result.stop_reason != "epochs" else result.stopped_epoch

    def save(self, state: TrainState) -> None:
        """Write the state after an epoch (atomically: the previous checkpoint stays whole
        until the new one is complete)."""
        tensors = {f"net.{k}": v.detach().cpu().numpy() for k, v in state.net.state_dict().items()}
        tensors.update({f"optim.{k}": v.detach().cpu().numpy()
                        for k, v in state.optimizer.state_tensors().items()})
        tensors.update({f"best.{i}": b.detach().cpu().numpy() for i, b in enumerate(state.best)})
        tensors["best_loss"] = state.best_loss.numpy()
        tensors["best_epoch"] = state.best_epoch.numpy()
        tensors["generator"] = state.generator.get_state().numpy()
        tensors["torch_rng"] = torch.get_rng_state().numpy()
        result = state.result
        meta = {
            "kind": KIND,
            "library_version": __version__,
            "fingerprint": self.fingerprint,
            "epoch": result.stopped_epoch,
            "stop_reason": result.stop_reason,
            # repr-exact floats; "nan"/"inf" as strings (JSON has no such numbers)
            "history": {k: [v if math.isfinite(v) else str(v) for v in values]
                        for k, values in result.history.items()},
        }
        write_model_file(self.path, meta, tensors)

    def _remove_stale_temporaries(self) -> None:
        """A run killed while writing leaves its temporary file: remove such leftovers."""
        for stale in self.folder.glob(f".{CHECKPOINT_FILE}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers (anything else as its repr) for JSON."""
    return value.item() if isinstance(value, np.generic) else repr(value)


def _copy(target: torch.Tensor, saved: np.ndarray, name: str) -> None:
    if tuple(saved.shape) != tuple(target.shape):
        raise ValueError(f"{name} has shape {tuple(saved.shape)}, expected {tuple(target.shape)}")
    target.copy_(torch.from_numpy(saved))
