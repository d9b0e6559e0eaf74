"""Figures for `rnnforecast.explain`: gradient flow through time, gradient norms before and
after clipping, and one-factor-at-a-time comparisons.

Like `rnnforecast.plotting.figures`, these draw on a bare matplotlib ``Figure`` (Agg, no
pyplot), import matplotlib inside the functions and write atomically. They take plain data
frames (the tables `rnnforecast.explain` writes as CSV), so plotting stays a leaf that knows
nothing of torch or of the explain package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.errors import DataError
from rnnforecast.io.atomic import atomic_path
from rnnforecast.plotting.figures import _plain_log_labels, check_figure_path

__all__ = ["MODEL_COLORS", "clipping_figure", "compare_figure", "gradient_flow_figure"]

MODEL_COLORS = {"rnn": "tab:red", "lstm": "tab:blue", "gru": "tab:purple"}
_LAYER_STYLES = ("-", "-.", ":")


def gradient_flow_figure(
    flows: pd.DataFrame,
    *,
    path: str | os.PathLike[str],
    title: str | None = None,
    mark_lag: int | None = None,
    fmt: str | None = None,
    dpi: int = 120,
    size: tuple[float, float] = (10.0, 5.0),
) -> Path:
    """The vanishing-gradient curves on one log-scale figure: for every model (colour),
    state (solid: trained, dashed: initial) and layer, ``||dL/dh_t|| / ||dL/dh_{T-1}||``
    against the number of steps back from the last input (columns ``model, state, layer,
    lag, relative`` as written by `GradientFlow.to_frame`). ``mark_lag`` draws a vertical
    line at that lag and labels each curve's value there."""
    fmt = check_figure_path(path, fmt)
    need = {"model", "state", "layer", "lag", "relative"}
    if not need <= set(flows.columns) or flows.empty:
        raise DataError(f"the gradient-flow table needs rows with columns {sorted(need)}")

    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    ax = fig.subplots()
    layers = int(flows["layer"].max())
    states = list(dict.fromkeys(flows["state"]))
    marked: list[float] = []  # values labelled at mark_lag (labels too close are skipped)
    for key, g in flows.groupby(["model", "state", "layer"], sort=False):
        parts: tuple[Any, ...] = tuple(key)  # type: ignore[arg-type]
        model, state, layer = str(parts[0]), str(parts[1]), int(parts[2])
        g = g.sort_values("lag")
        values = g["relative"].to_numpy(dtype=np.float64)
        values = np.where(np.isfinite(values) & (values > 0), values, np.nan)
        trained = state == "trained" or len(states) == 1
        label = f"{model}" + (f" layer {layer}" if layers > 1 else "")
        if len(states) > 1:
            label += f" ({state})"
        ax.plot(g["lag"], values, color=MODEL_COLORS.get(str(model), "tab:gray"),
                ls=_LAYER_STYLES[(layer - 1) % 3] if trained else "--",
                lw=1.8 if trained else 1.1, alpha=1.0 if trained else 0.75, label=label)
        if mark_lag is not None:
            at = g.loc[g["lag"] == mark_lag, "relative"]
            if (len(at) and np.isfinite(at.iloc[0]) and at.iloc[0] > 0
                    and all(abs(np.log10(at.iloc[0] / v)) > 0.4 for v in marked)):
                marked.append(float(at.iloc[0]))
                ax.annotate(f"{at.iloc[0]:.0e}", (mark_lag, at.iloc[0]), fontsize=7,
                            xytext=(4, 0), textcoords="offset points", va="center",
                            color=MODEL_COLORS.get(str(model), "0.3"))
    if mark_lag is not None:
        ax.axvline(mark_lag, color="0.4", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("steps back from the last input (lag k: hidden state h at step T-1-k)")
    ax.set_ylabel("||dL/dh|| relative to the last step (log)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize=8, ncol=2 if len(flows["model"].unique()) > 2 else 1)
    fig.suptitle(title or "gradient flow through time")
    return _save(fig, path, fmt)


def clipping_figure(
    histories: Mapping[str, pd.DataFrame],
    *,
    path: str | os.PathLike[str],
    title: str | None = None,
    fmt: str | None = None,
    dpi: int = 120,
) -> Path:
    """Per model, the global gradient norm per epoch before clipping and after it
    (``min(norm, clip)``), with the threshold; tables with columns ``epoch, grad_norm,
    after_clip, clip`` (see `rnnforecast.explain.gradients.clipping_frame`)."""
    fmt = check_figure_path(path, fmt)
    if not histories:
        raise DataError("no training history to plot")

    from matplotlib.figure import Figure

    n = len(histories)
    fig = Figure(figsize=(10, 1.2 + 2.2 * n), dpi=dpi, layout="constrained")
    axes = fig.subplots(n, 1, squeeze=False, sharex=True)[:, 0]
    for ax, (model, frame) in zip(axes, histories.items(), strict=True):
        color = MODEL_COLORS.get(model, "tab:gray")
        before = _positive(frame["grad_norm"])
        after = _positive(frame["after_clip"])
        ax.plot(frame["epoch"], after, color=color, lw=3.2, alpha=0.35,
                label="after clipping: min(norm, threshold)")
        ax.plot(frame["epoch"], before, color=color, lw=1.1, label="before clipping")
        clip = frame["clip"].iloc[0] if "clip" in frame.columns else np.nan
        if np.isfinite(clip):
            ax.axhline(clip, color="0.3", ls="--", lw=0.9, label=f"clip threshold {clip:g}")
            share = float((frame["grad_norm"] > clip).mean())
            ax.set_title(f"{model}: {share:.0%} of epochs above the threshold", fontsize=9,
                         loc="left")
        else:
            ax.set_title(f"{model}: clipping off", fontsize=9, loc="left")
        ax.set_yscale("log")
        _plain_log_labels(ax)
        ax.set_ylabel("gradient norm")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper right", fontsize=7)
    axes[-1].set_xlabel("epoch")
    fig.suptitle(title or "global gradient norm per epoch, before and after clipping")
    return _save(fig, path, fmt)


def compare_figure(
    table: pd.DataFrame,
    seeds: pd.DataFrame,
    factors: Sequence[str],
    *,
    path: str | os.PathLike[str],
    reference: float | None = None,
    reference_label: str = "seasonal naive",
    title: str | None = None,
    fmt: str | None = None,
    dpi: int = 120,
) -> Path:
    """One panel per factor: each level's mean MASE with a bar of +-1 sd across seeds, every
    seed's MASE as a dot, the default level in bold, and the ``reference`` (seasonal naive)
    as a line. ``table``: rows ``factor, level, config, is_default, mase, mase_sd``;
    ``seeds``: ``config, seed, mase``."""
    fmt = check_figure_path(path, fmt)
    need = {"factor", "level", "config", "is_default", "mase", "mase_sd"}
    if not need <= set(table.columns):
        raise DataError(f"the comparison table needs columns {sorted(need)}")

    from matplotlib.figure import Figure

    n = len(factors)
    fig = Figure(figsize=(3.4 * n + 0.6, 3.6), dpi=dpi, layout="constrained")
    axes = fig.subplots(1, n, squeeze=False, sharey=True)[0]
    for ax, factor in zip(axes, factors, strict=True):
        rows = table[table["factor"] == factor].reset_index(drop=True)
        if rows.empty:
            raise DataError(f"no rows for factor '{factor}' in the comparison table")
        x = np.arange(len(rows))
        for i, row in rows.iterrows():
            color = "tab:blue" if row["is_default"] else "tab:orange"
            ax.errorbar(i, row["mase"], yerr=row["mase_sd"], fmt="o", ms=7, color=color,
                        capsize=5, lw=1.5, zorder=3)
            dots = seeds.loc[seeds["config"] == row["config"], "mase"].to_numpy()
            if dots.size:
                jitter = np.linspace(-0.12, 0.12, dots.size) if dots.size > 1 else np.zeros(1)
                ax.scatter(i + 0.22 + jitter, dots, s=10, color=color, alpha=0.5, zorder=2)
        if reference is not None and np.isfinite(reference):
            ax.axhline(reference, color="tab:green", ls="--", lw=1,
                       label=f"{reference_label} {reference:.2f}")
            ax.legend(loc="upper right", fontsize=7)
        ax.set_xticks(x)
        ax.set_xticklabels([str(v) + (" *" if d else "") for v, d in
                            zip(rows["level"], rows["is_default"], strict=True)], fontsize=8)
        ax.set_xlim(-0.5, len(rows) - 0.3)
        ax.set_title(factor, fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
    axes[0].set_ylabel("backtest MASE (mean ± sd over seeds)")
    fig.suptitle(title or "one factor at a time (* = default setting)", fontsize=10)
    return _save(fig, path, fmt)


def _save(fig: Any, path: str | os.PathLike[str], fmt: str) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt)
    return Path(path)


def _positive(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(arr) & (arr > 0), arr, np.nan)
