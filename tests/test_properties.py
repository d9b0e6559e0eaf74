"""Property-based tests (hypothesis) beyond those in test_reader and test_windows: the data
path round-trips, forecasts are finite, hold-out points never reach a training window, and
the vectorised frequency check agrees with the per-series one. Kept fast: about 30 examples
each, tiny networks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnforecast import DataError, Forecaster, read_series
from rnnforecast.data import frequency as frequency_module
from rnnforecast.data import reader as reader_module
from rnnforecast.data.frequency import infer_frequency, regular_frequencies
from rnnforecast.data.window_bank import WindowBank
from rnnforecast.data.windows import (
    input_features,
    input_windows,
    reference,
    series_scale,
    targets,
    training_origins,
)

FAST = {"hidden_size": 2, "epochs": 2, "ensemble": 1, "guard": False}
FREQS = ["MS", "ME", "QS-JAN", "QS-FEB", "QE-DEC", "YS-JAN", "YS-JUL", "D", "2D", "h",
         "15min", "W-SUN", "W-WED", "B"]
EXAMPLES = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def series(draw: st.DrawFn, min_size: int = 3, max_size: int = 60) -> np.ndarray:
    """A random valid series: any length, any scale, sometimes all positive."""
    values = np.asarray(draw(st.lists(finite, min_size=min_size, max_size=max_size)))
    scale = draw(st.sampled_from([1e-9, 1e-3, 1.0, 1e3, 1e9, 1e250]))
    positive = draw(st.booleans())
    y = values * scale
    return np.abs(y) + scale if positive else y


# ------------------------------------------------- read -> window -> scale -> inverse


@EXAMPLES
@given(y=series(), freq=st.sampled_from(["MS", "D", "h"]), season=st.integers(1, 12),
       lookback=st.integers(1, 24))
def test_property_read_window_scale_inverse_round_trip(
        tmp_path: Path, y: np.ndarray, freq: str, season: int, lookback: int) -> None:
    # the CSV round trip is exact (repr floats), in time order
    ds = pd.date_range("2001-01-01", periods=len(y), freq=freq)
    path = tmp_path / "s.csv"
    pd.DataFrame({"ds": ds, "y": y}).iloc[::-1].to_csv(path, index=False)
    frame = read_series(path)
    assert np.array_equal(frame["y"].to_numpy(), y)
    assert frame["ds"].tolist() == list(ds)

    # windows and targets, scaled; inverting them gives the values back (to rounding)
    z = frame["y"].to_numpy()
    horizon = 1 + len(z) % 3
    season = min(season, len(z) - horizon)
    scale = series_scale(z, season)
    origins = training_origins(len(z), season, horizon)
    assert len(origins) > 0
    t = targets(z, origins, season, horizon, scale)
    restored = reference(z, origins, season, horizon) + t * (scale if scale > 0 else 1.0)
    future = np.stack([z[o + 1 : o + 1 + horizon] for o in origins])
    tol = 8 * np.finfo(np.float64).eps * max(float(np.max(np.abs(z))), 1e-300)
    np.testing.assert_allclose(restored, future, rtol=0, atol=tol)
    # the inputs hold the same scaled seasonal differences, ending at each origin
    windows = input_windows(input_features(z, season, scale), origins, lookback)
    last = windows[:, -1, 0] * (scale if scale > 0 else 1.0)
    observed = origins >= season
    np.testing.assert_allclose(last[observed], (z[origins] - z[origins - season])[observed],
                               rtol=0, atol=2 * tol)
    assert np.all(windows[:, -1, 1] == observed)


# ---------------------------------------------------------------- finite forecasts


@EXAMPLES
@given(y=series(min_size=8, max_size=50), horizon=st.integers(1, 6),
       model=st.sampled_from(["lstm", "gru", "rnn"]),
       strategy=st.sampled_from(["direct", "recursive"]))
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_property_forecasts_are_finite_or_a_clear_error(
        y: np.ndarray, horizon: int, model: str, strategy: str) -> None:
    if len(y) < horizon + 2:
        horizon = len(y) - 2
    frame = pd.DataFrame({"unique_id": "s",
                          "ds": pd.date_range("2000-01-01", periods=len(y), freq="MS"), "y": y})
    try:
        fitted = Forecaster(model, horizon=horizon, strategy=strategy, **FAST).fit(frame)
    except DataError as exc:
        assert "rescale" in str(exc)  # too large for the network's float32
        return
    forecast = fitted.predict()[model].to_numpy()
    assert forecast.shape == (horizon,)
    assert np.isfinite(forecast).all()
    if np.all(y >= 0):
        assert forecast.min() >= 0


# ------------------------------------------------ hold-out points never train a model


@EXAMPLES
@given(y=series(min_size=12, max_size=40), horizon=st.integers(1, 5),
       garbage=st.lists(finite, min_size=5, max_size=5))
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scores of 1e250-sized errors overflow
def test_property_held_out_points_never_reach_a_training_window(
        y: np.ndarray, horizon: int, garbage: list[float]) -> None:
    from rnnforecast.evaluation import run_protocol

    seen: list[tuple[np.ndarray, np.ndarray]] = []
    real_train = Forecaster._train

    def record(self: Forecaster, x: np.ndarray | WindowBank, t: np.ndarray, *args: object,
               **kwargs: object) -> None:
        # what the network sees: a bank's windows (rnnforecast.data.window_bank), gathered
        seen.append((x.windows(np.arange(len(x))) if isinstance(x, WindowBank) else x.copy(),
                     t.copy()))
        real_train(self, x, t, *args, **kwargs)  # type: ignore[arg-type]

    ds = pd.date_range("2000-01-01", periods=len(y), freq="MS")
    changed = y.copy()
    changed[-horizon:] = np.asarray(garbage[:horizon]) * 1e3  # anything at all
    forecasts = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Forecaster, "_train", record)
        for values in (y, changed):
            frame = pd.DataFrame({"unique_id": "s", "ds": ds, "y": values})
            result = run_protocol(frame, ["lstm"], horizon=horizon, **FAST)
            forecasts.append(result.forecast_frame()["lstm"].to_numpy())
    # every network trained (the fit's, and the guard's on small data) saw the same windows
    half = len(seen) // 2
    assert len(seen) == 2 * half and half >= 1
    for (x_a, t_a), (x_b, t_b) in zip(seen[:half], seen[half:], strict=True):
        assert np.array_equal(x_a, x_b) and np.array_equal(t_a, t_b)
    assert np.array_equal(forecasts[0], forecasts[1])


# ---------------------------------- the vectorised frequency check is the per-series one


@st.composite
def timestamps(draw: st.DrawFn) -> pd.DatetimeIndex | np.ndarray:
    n = draw(st.integers(2, 30))
    if draw(st.integers(0, 5)) == 0:
        start = draw(st.integers(-1000, 1000))
        step = draw(st.integers(1, 10))
        return np.arange(start, start + n * step, step, dtype=np.int64)
    freq = draw(st.sampled_from(FREQS))
    start = pd.Timestamp("1990-01-01") + pd.Timedelta(days=draw(st.integers(0, 12000)))
    idx = pd.date_range(start, periods=n + 3, freq=freq)
    drop = draw(st.sets(st.integers(0, n + 2), max_size=3))  # gaps, sometimes
    keep = [i for i in range(n + 3) if i not in drop]
    return idx[keep]


def _slow(ds: pd.DatetimeIndex | np.ndarray) -> str | None:
    try:
        return infer_frequency(pd.Index(ds))
    except DataError:
        return None


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(timestamps(), min_size=1, max_size=6))
def test_property_vectorised_frequencies_match_the_per_series_inference(
        parts: list[pd.DatetimeIndex | np.ndarray]) -> None:
    kinds = {isinstance(p, np.ndarray) for p in parts}
    if len(kinds) > 1:
        parts = [p for p in parts if isinstance(p, np.ndarray) == isinstance(parts[0],
                                                                             np.ndarray)]
    values = np.concatenate([np.asarray(p) for p in parts])
    starts = np.cumsum([0] + [len(p) for p in parts[:-1]])
    fast = regular_frequencies(values, starts)
    for part, freq in zip(parts, fast, strict=True):
        if freq is None:
            continue  # left to the per-series path
        assert freq == _slow(part)
        full = frequency_module.expected_timestamps(part[0], part[-1], freq)
        assert len(full) == len(part)  # regular and complete


@EXAMPLES
@given(parts=st.lists(timestamps(), min_size=1, max_size=5), nan_at=st.integers(0, 200))
def test_property_reader_gives_the_same_frame_with_or_without_the_fast_path(
        parts: list[pd.DatetimeIndex | np.ndarray], nan_at: int) -> None:
    parts = [p for p in parts if isinstance(p, np.ndarray) == isinstance(parts[0], np.ndarray)]
    frames = [pd.DataFrame({"unique_id": f"s{i}", "ds": np.asarray(p),
                            "y": np.arange(len(p), dtype=np.float64)})
              for i, p in enumerate(parts)]
    frame = pd.concat(frames, ignore_index=True)
    if nan_at < len(frame):
        frame.loc[nan_at, "y"] = np.nan

    def read() -> pd.DataFrame | str:
        try:
            return read_series(frame, fill="interpolate")
        except DataError as exc:
            return str(exc)

    fast = read()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader_module, "regular_frequencies",
                      lambda ds, starts: [None] * len(starts))
        slow = read()
    if isinstance(fast, str) or isinstance(slow, str):
        assert fast == slow
        return
    pd.testing.assert_frame_equal(fast, slow)
    assert fast.attrs == slow.attrs
