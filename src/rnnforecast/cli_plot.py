"""The work behind ``rnnforecast plot``: a model file or a forecast CSV drawn over history.

Imported only when the command runs. The figure is written atomically by
`rnnforecast.plotting.forecast_figure`, after everything was read and computed.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.cli_commands import as_fill, check_output_path
from rnnforecast.cli_support import refuse_overwrite, say
from rnnforecast.data.reader import read_series
from rnnforecast.errors import ConfigError, DataError


def stored_history(forecaster: Any) -> pd.DataFrame:
    """The history a model file keeps of each series (its last lookback + season points)."""
    from rnnforecast.data.frequency import INT_PREFIX, is_integer_freq

    parts = []
    for state in forecaster.series_.values():
        n = len(state.tail)
        if is_integer_freq(forecaster.freq_):
            step = int(forecaster.freq_[len(INT_PREFIX):])
            ds: Any = int(state.last_ds) - step * np.arange(n - 1, -1, -1, dtype=np.int64)
        else:
            ds = pd.date_range(end=pd.Timestamp(state.last_ds), periods=n, freq=forecaster.freq_)
        parts.append(pd.DataFrame({"unique_id": state.unique_id, "ds": ds,
                                   "y": np.asarray(state.tail, dtype=np.float64)}))
    return pd.concat(parts, ignore_index=True)


def run_plot(source: str, out: str | None, data: str | None, horizon: int | None,
             read: dict[str, Any], fill: str | None) -> None:
    from rnnforecast.io.modelfile import MAGIC
    from rnnforecast.plotting.figures import check_figure_path, forecast_figure

    if out is None:
        raise ConfigError("--out is required: the figure to write, e.g. --out forecast.png")
    check_figure_path(out)
    check_output_path(out, "--out")
    refuse_overwrite(out, "--out", {"model or forecast file": source, "--data file": data})
    path = Path(source)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a model file or a forecast CSV")
    with open(path, "rb") as handle:
        is_model = handle.read(len(MAGIC)) == MAGIC
    if is_model:
        from rnnforecast.forecaster import Forecaster

        forecaster = Forecaster.load(path)
        if data is not None:
            history = read_series(data, fill=as_fill(fill) or forecaster.fill, **read)
        else:
            history = stored_history(forecaster)
        forecast = forecaster.predict(horizon=horizon, data=None if data is None else history)
        steps = forecast.groupby("unique_id").size().max()
        forecast_figure(history, forecast, path=out,
                        title=f"{forecaster.model} forecast, {steps} steps ({path.name})")
    else:
        if data is None:
            raise ConfigError(f"{source} is not a model file, so it is read as a forecast CSV: "
                              "give --data with the history to draw it over")
        history = read_series(data, fill=as_fill(fill), **read)
        forecast = read_forecast_csv(path, history)
        past, actuals = split_at_forecast(history, forecast)
        scores = actual_scores(past, actuals, forecast)
        forecast_figure(past, forecast, actuals if len(actuals) else None, path=out,
                        title=f"forecast from {path.name}", scores=scores or None)
    say(f"wrote {out}")


def read_forecast_csv(path: Path, history: pd.DataFrame) -> pd.DataFrame:
    """A forecast CSV (``unique_id, ds, <model>...``) with ``ds`` typed like the history's."""
    from rnnforecast.plotting.figures import forecast_columns

    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise DataError(f"{path}: neither a model file nor a forecast CSV (binary content)")
    try:
        frame = pd.read_csv(io.BytesIO(raw))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise DataError(f"{path}: not a readable forecast CSV ({first})") from None
    missing = [c for c in ("unique_id", "ds") if c not in frame.columns]
    if missing or len(frame) == 0:
        raise DataError(
            f"{path}: a forecast CSV needs rows with columns unique_id, ds and one column per "
            f"model (found columns {list(frame.columns)}, {len(frame)} rows); write one with "
            "'rnnforecast predict MODEL --out forecast.csv'"
        )
    frame["unique_id"] = frame["unique_id"].astype(str)
    if pd.api.types.is_datetime64_any_dtype(history["ds"]):
        ds = pd.to_datetime(frame["ds"], errors="coerce")
    else:
        ds = pd.to_numeric(frame["ds"], errors="coerce")
    if ds.isna().any():
        i = int(np.argmax(ds.isna().to_numpy()))
        raise DataError(f"{path}: cannot read ds '{frame['ds'].iloc[i]}' at line {i + 2} as a "
                        "timestamp of the --data's kind")
    frame["ds"] = ds.astype(history["ds"].dtype) if ds.dtype.kind == "M" else ds.astype("int64")
    models, _ = forecast_columns(frame)
    if not models:
        raise DataError(f"{path}: no numeric forecast column besides unique_id and ds")
    unknown = sorted(set(frame["unique_id"]) - set(history["unique_id"]))
    if unknown:
        raise DataError(f"{path}: series '{unknown[0]}' is not in the --data; give the data "
                        "the forecast was made from")
    return frame


def split_at_forecast(history: pd.DataFrame,
                      forecast: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """History before each series' first forecast timestamp, and the actual values that
    fall inside the forecast's span (if the data covers it)."""
    bounds = forecast.groupby("unique_id")["ds"].agg(["min", "max"])
    joined = history.join(bounds, on="unique_id")
    past = history[(joined["min"].isna() | (joined["ds"] < joined["min"])).to_numpy()]
    inside = ((joined["ds"] >= joined["min"]) & (joined["ds"] <= joined["max"])).to_numpy()
    return past.reset_index(drop=True), history[inside].reset_index(drop=True)


def actual_scores(past: pd.DataFrame, actuals: pd.DataFrame,
                  forecast: pd.DataFrame) -> dict[str, float]:
    """Each model's MASE (mean over series) where the actuals cover the whole forecast."""
    from rnnforecast.data.frequency import infer_frequency, season_length_for
    from rnnforecast.metrics import mase
    from rnnforecast.plotting.figures import forecast_columns

    models, _ = forecast_columns(forecast)
    models = [m for m in models if m != "y"]
    merged = forecast.merge(actuals, on=["unique_id", "ds"], how="left",
                            suffixes=("", "_actual"))
    target = "y_actual" if "y" in forecast.columns else "y"
    if len(actuals) == 0 or merged[target].isna().any():
        return {}
    out: dict[str, float] = {}
    for model in models:
        values = []
        for uid, g in merged.groupby("unique_id"):
            train = past[past["unique_id"] == uid]
            if len(train) < 2:
                return {}
            m = season_length_for(infer_frequency(train["ds"], str(uid)))
            values.append(mase(g[target], g[model], train["y"], m))
        out[model] = float(np.mean(values))
    return out
