"""What a model file holds, in full: `Forecaster.info` plus the file, the data's end, the
series, the stored history, the final training loss and every setting the fit used (with
those the fit chose for the data named). ``rnnforecast info`` shows exactly this.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rnnforecast.io.timestamps import format_ds

__all__ = ["chosen_settings", "describe_model", "resolved_settings"]

#: how many series ids `describe_model` lists before "..."
SHOWN_IDS = 10


def describe_model(forecaster: Any, path: str | os.PathLike[str]) -> dict[str, Any]:
    """The description of the fitted ``forecaster`` loaded from the model file ``path``:
    ``file``, ``file_bytes``, every field of ``forecaster.info()``, ``data_ends`` (one
    timestamp, or ``first..last`` when the series end apart), ``series_ids`` (the first 10,
    then "..."), ``guarded_series`` (the first 10 series a guard fallback forecasts, with
    it), ``stored_history_points``, ``final_train_loss`` (None before training),
    ``settings`` (`resolved_settings`) and ``chosen_for_the_data`` (`chosen_settings`)."""
    states = list(forecaster.series_.values())
    ends = sorted(format_ds(s.last_ds) for s in states)
    losses = forecaster.history_.get("train_loss", [])
    more = ["..."] if len(states) > SHOWN_IDS else []
    return {
        "file": str(path),
        "file_bytes": Path(path).stat().st_size,
        **forecaster.info(),
        "data_ends": ends[-1] if len(set(ends)) == 1 else f"{ends[0]}..{ends[-1]}",
        "series_ids": [s.unique_id for s in states[:SHOWN_IDS]] + more,
        "guarded_series": dict(list(forecaster.guarded_.items())[:SHOWN_IDS]),
        "stored_history_points": max(len(s.tail) for s in states),
        "final_train_loss": losses[-1] if losses else None,
        "settings": resolved_settings(forecaster),
        "chosen_for_the_data": chosen_settings(forecaster),
    }


def chosen_settings(forecaster: Any) -> list[str]:
    """The settings left to the data (None in the constructor) that the fit resolved."""
    fitted = _fitted_values(forecaster)
    return [k for k, v in forecaster.get_params().items() if v is None and k in fitted]


def resolved_settings(forecaster: Any) -> dict[str, Any]:
    """The settings the fit used: the constructor's, with those left to the data (None)
    replaced by what the fit chose (`settings_`, `lookback_`, `season_length_`)."""
    fitted = _fitted_values(forecaster)
    return {k: (fitted[k] if v is None and k in fitted else v)
            for k, v in forecaster.get_params().items() if k != "quiet"}


def _fitted_values(forecaster: Any) -> dict[str, Any]:
    return {**getattr(forecaster, "settings_", {}), "lookback": forecaster.lookback_,
            "season_length": forecaster.season_length_}
