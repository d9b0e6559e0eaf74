"""Progress output for training: a rich progress bar on a terminal, nothing when piped."""

from __future__ import annotations

import sys
from typing import Any


class EpochPrinter:
    """Callable ``(epoch, record)`` that drives a progress bar on stderr (terminal only)."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs
        self._progress: Any = None
        self._task: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("epoch {task.completed}/{task.total}"),
                BarColumn(),
                TextColumn("loss {task.fields[loss]:.4f}  val {task.fields[val]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._progress.add_task("train", total=epochs, loss=float("nan"), val="-")
            self._progress.start()

    def __call__(self, epoch: int, record: dict[str, float]) -> None:
        if self._progress is None:
            return
        val = record.get("val_loss", float("nan"))
        self._progress.update(
            self._task,
            completed=epoch + 1,
            loss=record["train_loss"],
            val="-" if val != val else f"{val:.4f}",
        )
        if epoch + 1 >= self.epochs:
            self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
