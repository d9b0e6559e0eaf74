"""Training windows kept as the steps they are cut from, and gathered a batch at a time.

`rnnforecast.data.framing.make_windows` builds every training window: windows x lookback x 2
floats, although consecutive windows share all but one step: 450 MB of float32 for M4 hourly
with lookback 168, several GB for a 10-million-point panel. A `WindowBank` keeps instead:

- two flat arrays of every series' per-step inputs (`framing.window_steps`): ``values``
  (float64) and ``observed`` (the flag, 0.0 or 1.0, float32 holds it exactly), each series
  preceded by ``lookback - 1`` zero steps with flag 0, the left padding of `make_windows`;
- per window: where it starts in ``values``, and for the level framing its level ``shift``
  and its series' ``divisor``.

Gathering windows repeats `make_windows`' arithmetic in the same order and float64, observed
values ``(value - shift) / divisor`` and zero elsewhere, so the float32 windows are
bit-identical to the materialised ones (`rnnforecast.training.batches` gathers on the
training device). The store costs 12 bytes a step and 24 a window (8 for the seasonal framing).

Used by the plain global model (the value channels only), data-parallel training included
(each rank's bank holds its block of series). Local models, seq2seq, covariates and
embeddings add channels or split windows per series and still build them with `make_windows`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from rnnforecast.data.windows import N_CHANNELS

FloatArray = NDArray[np.float64]
Float32Array = NDArray[np.float32]
IntArray = NDArray[np.int64]
#: windows per chunk when every window is visited (float32 check, checkpoint fingerprint)
CHUNK = 4096
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass(frozen=True)
class WindowBank:
    """The training windows of a panel (see the module docstring); build it with
    `WindowBankBuilder`. ``shift`` and ``divisor`` are None for the seasonal framing."""

    lookback: int
    values: FloatArray  # (steps,) every series' padded values
    observed: Float32Array  # (steps,) their flags
    starts: IntArray  # (windows,) window i is values[starts[i] : starts[i] + lookback]
    shift: FloatArray | None  # (windows,)
    divisor: FloatArray | None  # (windows,)

    def __len__(self) -> int:
        return int(self.starts.size)

    @property
    def shape(self) -> tuple[int, int, int]:
        """The shape of the windows materialised: (windows, lookback, 2)."""
        return len(self), self.lookback, N_CHANNELS

    def windows(self, idx: np.ndarray) -> FloatArray:
        """The float64 windows ``idx``, (len(idx), lookback, 2), exactly `make_windows`'."""
        return _gather(self.values, self.observed, self.starts[idx],
                       None if self.shift is None else self.shift[idx],
                       None if self.divisor is None else self.divisor[idx], self.lookback)

    def chunks(self, size: int = CHUNK) -> Iterator[FloatArray]:
        """Every window in order, ``size`` at a time (float64): memory stays bounded."""
        for a in range(0, len(self), size):
            yield self.windows(np.arange(a, min(a + size, len(self))))

    def hash_into(self, digest: hashlib._Hash) -> None:
        """Feed ``digest`` the bytes a checkpoint fingerprint hashes for the float32 array of
        all windows (its dtype and shape, then its data), without building that array: a fit
        checkpointed with materialised windows resumes with a bank, and the other way."""
        digest.update(f"{np.dtype(np.float32).str}{self.shape};".encode())
        with np.errstate(over="ignore"):  # too large values are refused before training
            for x in self.chunks():
                digest.update(x.astype(np.float32).reshape(-1).view(np.uint8).data)


class WindowBankBuilder:
    """Collects a `WindowBank` series by series (`add`), then `build` joins the parts."""

    def __init__(self, lookback: int) -> None:
        self.lookback = int(lookback)
        self._values: list[FloatArray] = []
        self._observed: list[Float32Array] = []
        self._starts: list[IntArray] = []
        self._shift: list[FloatArray] = []
        self._divisor: list[FloatArray] = []
        self._steps = 0  # length of the values so far
        self._level: bool | None = None

    def add(self, steps: FloatArray, origins: np.ndarray, shift: FloatArray | None,
            divisor: float) -> bool:
        """Add the windows ending at ``origins`` of one series' ``steps`` (`window_steps`'
        output); returns whether all their values are finite and inside float32's range,
        the check the Forecaster makes of every window before training."""
        level = shift is not None
        if self._level is not None and level != self._level:
            raise ValueError("a WindowBank holds the windows of one framing")
        self._level = level
        values, observed = _padded(steps, self.lookback)
        self._values.append(values)
        self._observed.append(observed)
        origins = np.asarray(origins, dtype=np.int64)
        self._starts.append(self._steps + origins)  # window at origin o: padded[o : o + L]
        self._steps += values.size
        if shift is not None:
            self._shift.append(np.asarray(shift, dtype=np.float64))
            self._divisor.append(np.full(origins.size, divisor))
        if origins.size == 0 or _bounds_fit(steps, shift, divisor):
            return True
        # the bounds failed: look at every window (rare: values near float64's limit)
        for a in range(0, origins.size, CHUNK):
            part = slice(a, a + CHUNK)
            x = _gather(values, observed, origins[part], None if shift is None else shift[part],
                        None if shift is None else np.full(origins[part].size, divisor),
                        self.lookback)
            if not _fits(x):
                return False
        return True

    def build(self) -> WindowBank:
        level = bool(self._level)
        short = max(0, self.lookback - self._steps)  # so that a window view always exists
        return WindowBank(
            self.lookback,
            np.concatenate([*self._values, np.zeros(short)]),
            np.concatenate([*self._observed, np.zeros(short, dtype=np.float32)]),
            np.concatenate(self._starts) if self._starts else np.zeros(0, dtype=np.int64),
            np.concatenate(self._shift) if level else None,
            np.concatenate(self._divisor) if level else None,
        )


def _padded(steps: FloatArray, lookback: int) -> tuple[FloatArray, Float32Array]:
    """A series' values and flags after `make_windows`' left padding of lookback - 1 steps."""
    values = np.concatenate([np.zeros(lookback - 1), steps[:, 0]])
    observed = np.concatenate([np.zeros(lookback - 1), steps[:, 1]]).astype(np.float32)
    return values, observed


def _gather(values: FloatArray, observed: Float32Array, starts: IntArray,
            shift: FloatArray | None, divisor: FloatArray | None, lookback: int) -> FloatArray:
    """Windows at ``starts`` with `make_windows`' level arithmetic, in its order."""
    x = np.empty((starts.size, lookback, N_CHANNELS))
    x[:, :, 0] = sliding_window_view(values, lookback)[starts]
    x[:, :, 1] = sliding_window_view(observed, lookback)[starts]
    if shift is not None and divisor is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            x[:, :, 0] = np.where(x[:, :, 1] > 0,
                                  (x[:, :, 0] - shift[:, None]) / divisor[:, None], 0.0)
    return x


def _fits(x: np.ndarray) -> bool:
    return bool(np.all(np.abs(x) < _FLOAT32_MAX))  # NaN fails the comparison too


def _bounds_fit(steps: FloatArray, shift: FloatArray | None, divisor: float) -> bool:
    """A sufficient test, on the steps and shifts only, that every window value fits float32.
    Rounded subtraction and division by a positive number are monotone, so every observed
    window value lies between (min - max shift) / divisor and (max - min shift) / divisor;
    when the bounds fail (or are NaN) the caller checks the windows themselves."""
    if shift is None:  # seasonal: the windows' values are steps' values
        return _fits(steps[:, 0])
    observed = steps[steps[:, 1] > 0, 0]
    if observed.size == 0:
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        low = (observed.min() - shift.max()) / divisor
        high = (observed.max() - shift.min()) / divisor
    return _fits(np.array([low, high]))
