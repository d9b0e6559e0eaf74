"""The training set of a fit: each series' state and windows, the validation windows, built
once from the long frame (frames become arrays here; the loop only sees arrays)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.covariates import InputPlan
from rnnforecast.data.framing import make_targets, make_windows, origins_for, window_steps
from rnnforecast.data.window_bank import WindowBank, WindowBankBuilder
from rnnforecast.forecaster.inputs import plan_for
from rnnforecast.forecaster.state import SeriesState, fit_series

__all__ = ["MAX_WINDOWS_PER_SERIES", "TrainingSet", "build_training_set"]

#: Training windows per series, the most recent ones: a long series (10,000 hourly points)
#: costs what a 1,000-point one does, since its older windows teach a small network little
#: more (BENCHMARKS.md, "Long single series"). Of the competition data only M4 weekly has
#: longer series (166 of 359): seed 0 OWA 0.943 -> 0.940, fit CPU 113 -> 78 s.
MAX_WINDOWS_PER_SERIES = 1000
#: Gather the plain global model's training windows a batch at a time from a `WindowBank`
#: instead of building them all (bit-identical training); False builds them (for tests).
_GATHER_WINDOWS = True


@dataclass
class TrainingSet:
    """Per series (in order): its state, its training windows (``xs`` arrays, or rows of
    ``bank``) and targets ``ys``, its validation window when it has one (``xv``, ``yv``;
    ``val_of``: series -> index there)."""

    states: dict[str, SeriesState] = field(default_factory=dict)
    xs: list[np.ndarray] = field(default_factory=list)
    ys: list[np.ndarray] = field(default_factory=list)
    xv: list[np.ndarray] = field(default_factory=list)
    yv: list[np.ndarray] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)  # windows per series (local models)
    val_of: dict[str, int] = field(default_factory=dict)
    bank: WindowBankBuilder | None = None
    finite: bool = True  # every window value fits float32

    def windows(self) -> np.ndarray | WindowBank:
        """All training windows: one array, or the bank they are gathered from."""
        return np.concatenate(self.xs) if self.bank is None else self.bank.build()


def fits_float32(*arrays: np.ndarray) -> bool:
    """Every value finite and inside float32's range (NaN fails the comparison too)."""
    limit = float(np.finfo(np.float32).max)
    return all(bool(np.all(np.abs(a) < limit)) for a in arrays)


def build_training_set(f: Any, frame: pd.DataFrame,
                       groups: dict[str, pd.DataFrame]) -> TrainingSet:
    """The training set of ``f`` (its ``lookback_`` and ``season_length_`` chosen) on the
    series ``groups`` of ``frame``."""
    plan = plan_for(f).fit_statics(frame)  # covariate, calendar, embedding channels
    # The plain global model's windows are gathered per batch from a bank (a panel's
    # windows can take GBs); local models, seq2seq, covariates and embeddings build them.
    bank = (WindowBankBuilder(f.lookback_)
            if _GATHER_WINDOWS and not plan.active and not f.local else None)
    out = TrainingSet(bank=bank)
    for uid, g in groups.items():
        y = g["y"].to_numpy(dtype=np.float64)
        state, z = fit_series(f, uid, y, g["ds"].iloc[-1])
        steps = plan.attach(state, g, index=len(out.states))
        out.states[uid] = state
        _add_series(f, out, plan, uid, z, steps)
    return out


def _add_series(f: Any, out: TrainingSet, plan: InputPlan, uid: str, z: np.ndarray,
                steps: Any) -> None:
    """Series ``uid``'s windows (values ``z`` on the model scale) added to ``out``."""
    h = int(f.horizon)
    out_size = h if f.strategy == "direct" else 1
    state = out.states[uid]
    framing = state.framing
    index = len(out.states) - 1
    origins = origins_for(f.framing, len(z), framing, out_size)
    # Validation: the window whose target is the series' last `horizon` points;
    # training keeps only windows whose targets end before it starts.
    val_origin = len(z) - h - 1
    if f.patience is not None and origins.size and val_origin >= origins[0] + out_size:
        val = np.array([val_origin], dtype=np.int64)
        x_val, y_val = make_windows(f.framing, z, state.log, framing, val, f.lookback_,
                                    out_size)
        out.xv.append(plan.training_windows(x_val, steps, val, index))
        out.yv.append(y_val)
        out.val_of[uid] = len(out.xv) - 1
        origins = origins[origins + out_size <= val_origin]
    origins = origins[-MAX_WINDOWS_PER_SERIES:]
    if out.bank is not None:
        y_fit = make_targets(f.framing, z, state.log, framing, origins, out_size)
        values, shift, divisor = window_steps(f.framing, z, state.log, framing, origins)
        fits = out.bank.add(values, origins, shift, divisor)
        out.finite = out.finite and fits and fits_float32(y_fit)
    else:
        x_fit, y_fit = make_windows(f.framing, z, state.log, framing, origins, f.lookback_,
                                    out_size)
        x_fit = plan.training_windows(x_fit, steps, origins, index)
        # checked and cast series by series: a float64 copy of a long-lookback panel's
        # windows would not fit in memory (M4 hourly, lookback 168: 1 GB)
        out.finite = out.finite and fits_float32(x_fit, y_fit)
        out.sizes.append(len(x_fit))
        with np.errstate(over="ignore"):  # too large values are refused below
            out.xs.append(x_fit.astype(np.float32))
    with np.errstate(over="ignore"):
        out.ys.append(y_fit.astype(np.float32))
