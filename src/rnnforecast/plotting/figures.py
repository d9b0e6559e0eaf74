"""Figures: a forecast over its history, and the training curves (loss, gradient norms).

matplotlib is imported inside the functions (never at package import), and figures are
drawn on a bare `matplotlib.figure.Figure` with the Agg canvas: no pyplot, no global state,
no display needed. Files are written through `atomic_path`, so a failed plot never leaves a
half-written or truncated file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.data.forecast_csv import forecast_columns
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.io.atomic import atomic_path

__all__ = ["FORMATS", "forecast_columns", "forecast_figure", "training_figure"]

FORMATS = ("png", "svg", "pdf")
_BASELINE_STYLE = {"naive": ":", "seasonal_naive": "--", "persistence": ":"}


def check_figure_path(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The image format: ``fmt`` when given, else named by ``path``'s extension;
    `ConfigError` for anything but .png, .svg and .pdf."""
    suffix = (fmt or Path(path).suffix).lower().lstrip(".")
    if suffix not in FORMATS:
        raise ConfigError(
            f"{path}: cannot write a figure with extension '.{suffix}'; "
            f"use one of {', '.join('.' + f for f in FORMATS)}"
        )
    return suffix


def forecast_figure(
    history: pd.DataFrame,
    forecasts: pd.DataFrame,
    actuals: pd.DataFrame | None = None,
    *,
    path: str | os.PathLike[str],
    title: str | None = None,
    scores: Mapping[str, float] | None = None,
    metric: str = "MASE",
    max_series: int = 4,
    fmt: str | None = None,
) -> Path:
    """Draw each series' history, the held-out actuals (if any), every model's forecast with
    its shaded intervals (``<model>-lo-80`` / ``<model>-hi-80``) and a vertical line where the
    forecast starts; one panel per series, at most ``max_series``. ``scores`` (model ->
    value of ``metric``) are shown in the legend. Writes ``path`` (.png, .svg or .pdf; or
    the format ``fmt`` whatever the extension)."""
    fmt = check_figure_path(path, fmt)
    for name, frame in (("history", history), ("forecasts", forecasts)):
        missing = [c for c in ("unique_id", "ds") if c not in frame.columns]
        if missing:
            raise DataError(f"the {name} frame lacks column(s) {missing}")
    if "y" not in history.columns:
        raise DataError("the history frame lacks the column 'y'")
    models, levels = forecast_columns(forecasts)
    if not models:
        raise DataError(
            "the forecasts have no model column: expected unique_id, ds and one numeric "
            "column per model"
        )
    if actuals is None and "y" in forecasts.columns and forecasts["y"].notna().any():
        actuals = forecasts[["unique_id", "ds", "y"]].dropna()
    ids = list(dict.fromkeys(forecasts["unique_id"].astype(str)))
    shown = ids[: max(1, max_series)]

    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 1.0 + 3.2 * len(shown)), dpi=120, layout="constrained")
    axes = fig.subplots(len(shown), 1, squeeze=False)[:, 0]
    colors = _colors(models)
    for ax, uid in zip(axes, shown, strict=True):
        hist = history[history["unique_id"].astype(str) == uid]
        fc = forecasts[forecasts["unique_id"].astype(str) == uid]
        ax.plot(hist["ds"], hist["y"], color="0.15", lw=1.4, label="history")
        if actuals is not None:
            act = actuals[actuals["unique_id"].astype(str) == uid]
            if len(act):
                ax.plot(act["ds"], act["y"], color="0.15", lw=1.4, ls="-", marker="o",
                        ms=2.5, alpha=0.55, label="actual (held out)")
        for model in models:
            color = colors[model]
            for i, level in enumerate(levels[model]):
                ax.fill_between(fc["ds"], fc[f"{model}-lo-{level}"], fc[f"{model}-hi-{level}"],
                                color=color, alpha=0.18 + 0.08 * i, lw=0,
                                label=f"{model} {level}% interval")
            label = model
            if scores is not None and model in scores and _finite(scores[model]):
                label = f"{model} ({metric} {scores[model]:.3g})"
            ax.plot(fc["ds"], fc[model], color=color, lw=1.8 if model not in _BASELINE_STYLE
                    else 1.2, ls=_BASELINE_STYLE.get(model, "-"), label=label)
        if len(hist):
            ax.axvline(hist["ds"].iloc[-1], color="0.5", ls="--", lw=0.9, label="forecast start")
        ax.set_ylabel(uid if len(shown) > 1 else "value")
        ax.grid(True, alpha=0.3)
        _date_axis(ax, fc["ds"])
    axes[0].legend(loc="upper left", fontsize=8, ncol=2 if len(models) > 3 else 1,
                   framealpha=0.85)
    more = f" (first {len(shown)} of {len(ids)} series)" if len(ids) > len(shown) else ""
    fig.suptitle((title or "forecast") + more, wrap=True)  # a verdict can be long
    return _save(fig, path, fmt)


def training_figure(
    history: Mapping[str, Any],
    clip: float | None = None,
    *,
    path: str | os.PathLike[str],
    title: str | None = None,
    fmt: str | None = None,
) -> Path:
    """Training curves from a fitted model's ``history_``: train and validation loss per
    epoch (log scale), and the global gradient norm per epoch before clipping (mean over the
    epoch's steps, and the largest step) with the clipping threshold ``clip`` as a line.
    Writes ``path`` (.png, .svg or .pdf; or the format ``fmt`` whatever the extension)."""
    fmt = check_figure_path(path, fmt)
    train = _positive(history.get("train_loss", []))
    if train.size == 0:
        raise DataError("the model has no training history to plot")
    epochs = np.arange(1, train.size + 1)
    val = _positive(history.get("val_loss", []))
    norm = _positive(history.get("grad_norm", []))
    norm_max = _positive(history.get("grad_norm_max", []))

    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 6.5), dpi=120, layout="constrained")
    loss_ax, grad_ax = fig.subplots(2, 1, sharex=True)
    loss_ax.plot(epochs, train, color="tab:blue", label="training loss")
    if val.size == train.size and np.isfinite(val).any():
        loss_ax.plot(epochs, val, color="tab:orange", label="validation loss")
    loss_ax.set_yscale("log")
    _plain_log_labels(loss_ax)
    loss_ax.set_ylabel("loss (log scale)")
    loss_ax.grid(True, which="both", alpha=0.3)
    loss_ax.legend(loc="upper right", fontsize=8)
    if norm.size == train.size:
        grad_ax.plot(epochs, norm, color="tab:green", label="gradient norm (mean over steps)")
    if norm_max.size == train.size and not np.allclose(norm_max, norm, equal_nan=True):
        grad_ax.plot(epochs, norm_max, color="tab:green", ls=":", lw=1,
                     label="gradient norm (largest step)")
    if clip is not None and math.isfinite(clip):
        grad_ax.axhline(clip, color="tab:red", ls="--", lw=1, label=f"clip threshold {clip:g}")
    grad_ax.set_yscale("log")
    _plain_log_labels(grad_ax)
    grad_ax.set_ylabel("global gradient norm\nbefore clipping (log)")
    grad_ax.set_xlabel("epoch")
    grad_ax.grid(True, which="both", alpha=0.3)
    if grad_ax.get_legend_handles_labels()[0]:
        grad_ax.legend(loc="upper right", fontsize=8)
    fig.suptitle(title or "training")
    return _save(fig, path, fmt)


# -------------------------------------------------------------------------- helpers


def _save(fig: Any, path: str | os.PathLike[str], fmt: str) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt)
    return Path(path)


def _colors(models: list[str]) -> dict[str, str]:
    palette = ["tab:blue", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive",
               "tab:cyan"]
    fixed = {"naive": "tab:gray", "persistence": "tab:gray", "seasonal_naive": "tab:green"}
    out, i = {}, 0
    for m in models:
        if m in fixed:
            out[m] = fixed[m]
        else:
            out[m] = palette[i % len(palette)]
            i += 1
    return out


def _date_axis(ax: Any, ds: pd.Series) -> None:
    if pd.api.types.is_datetime64_any_dtype(ds):
        from matplotlib import dates as mdates

        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _plain_log_labels(ax: Any) -> None:
    """Tick labels like 0.3 and 2 instead of 3x10^-1 on a log axis."""
    from matplotlib import ticker

    plain = ticker.FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(ticker.FuncFormatter(
        lambda v, _: f"{v:g}" if str(f"{v:.0e}")[0] in "25" else ""))


def _positive(values: Any) -> np.ndarray:
    """Values as float, with NaN where a log scale cannot show them (<= 0, inf, None)."""
    arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    arr[~np.isfinite(arr) | (arr <= 0)] = np.nan
    return arr


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
