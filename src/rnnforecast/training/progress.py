"""Progress output for training, on stderr: a rich progress bar on a terminal, and otherwise
(a fit piped to a log file, a batch job) one plain line every `INTERVAL` seconds, so that a
long fit is never silent for minutes while a short one prints nothing at all."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

#: seconds between two progress lines when stderr is not a terminal
INTERVAL = 5.0


class EpochPrinter:
    """Callable ``(epoch, record)`` that reports training progress on ``stream`` (stderr):
    a live bar on a terminal, else a line ``training: epoch 37/100, loss 0.0123, val -,
    12 s`` at most every ``interval`` seconds (`INTERVAL` unless given)."""

    def __init__(self, epochs: int, interval: float | None = None,
                 stream: TextIO | None = None) -> None:
        self.epochs = epochs
        self.stream = sys.stderr if stream is None else stream
        self.interval = INTERVAL if interval is None else float(interval)
        self._start = self._last = time.monotonic()
        self._pending: str | None = None  # the latest state not yet written as a line
        self._progress: Any = None
        self._task: Any = None
        if _isatty(self.stream):
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("epoch {task.completed}/{task.total}"),
                BarColumn(),
                TextColumn("loss {task.fields[loss]:.4f}  val {task.fields[val]}"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self._task = self._progress.add_task("train", total=epochs, loss=float("nan"), val="-")
            self._progress.start()

    def __call__(self, epoch: int, record: dict[str, float]) -> None:
        val = record.get("val_loss", float("nan"))
        val_text = "-" if val != val else f"{val:.4f}"
        if self._progress is not None:
            self._progress.update(self._task, completed=epoch + 1, loss=record["train_loss"],
                                  val=val_text)
            if epoch + 1 >= self.epochs:
                self.close()
            return
        now = time.monotonic()
        self._pending = (f"training: epoch {epoch + 1}/{self.epochs}, loss "
                         f"{record['train_loss']:.4f}, val {val_text}, "
                         f"{now - self._start:.0f} s")
        if now - self._last >= self.interval:
            self._write()
            self._last = now

    def _write(self) -> None:
        if self._pending is not None:
            self.stream.write(self._pending + "\n")
            self.stream.flush()
            self._pending = None

    def close(self) -> None:
        """Stop the bar; after plain lines, write the last state so the log ends with it."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        elif self._last > self._start:  # lines were written: finish with the final epoch
            self._write()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
