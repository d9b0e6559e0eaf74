"""The level framing: deseasonalised, level-relative windows, and their inverse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnforecast import Forecaster
from rnnforecast.data.framing import (
    deseasonalise,
    fit_framing,
    forecast_window,
    make_windows,
    origins_for,
    reconstruct,
)
from rnnforecast.data.seasons import recent_seasonal_indices


def _seasonal_series(n: int = 60, m: int = 12) -> np.ndarray:
    t = np.arange(n)
    return (100 + 2 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / m))


def test_fit_uses_multiplicative_indices_and_a_relative_scale_on_logs() -> None:
    y = _seasonal_series()
    state = fit_framing("level", y, np.log(y), True, 12)
    np.testing.assert_allclose(state.indices, recent_seasonal_indices(y, 12))
    assert state.scale == 1.0 and state.span == 12
    raw = fit_framing("level", y - 500, y - 500, False, 12)  # negative values: no indices
    assert raw.indices == [1.0] * 12
    assert raw.scale == pytest.approx(np.mean(np.abs(np.diff(y))))


def test_windows_are_relative_to_the_level_of_their_last_span() -> None:
    y = _seasonal_series()
    z = np.log(y)
    state = fit_framing("level", y, z, True, 12)
    origins = origins_for("level", len(z), state, 6)
    assert origins[0] == 0 and origins[-1] == len(z) - 7
    x, target = make_windows("level", z, True, state, origins, 24, 6)
    d = deseasonalise(z, state.indices, True, 0)
    o = 40
    level = d[o - 11 : o + 1].mean()
    np.testing.assert_allclose(x[o, :, 0], d[o - 23 : o + 1] - level)
    np.testing.assert_allclose(target[o], d[o + 1 : o + 7] - level)
    # padded positions before the start are zero with flag 0
    assert np.all(x[0, :-1, :] == 0) and x[0, -1, 1] == 1.0


def test_zero_output_forecasts_the_reseasonalised_level() -> None:
    y = _seasonal_series()
    z = np.log(y)
    state = fit_framing("level", y, z, True, 12)
    forecast = np.exp(reconstruct("level", z, True, state, np.zeros(12)))
    d = deseasonalise(z, state.indices, True, 0)
    level = np.exp(d[-12:].mean())
    si = np.asarray(state.indices)
    np.testing.assert_allclose(forecast, level * si[(len(y) + np.arange(12)) % 12])


def test_a_tail_with_an_offset_start_gives_the_same_window_and_forecast() -> None:
    y = _seasonal_series(62)
    z = np.log(y)
    state = fit_framing("level", y, z, True, 12)
    full = forecast_window("level", z, True, state, 24)
    tail_start = len(z) - 30
    tail = forecast_window("level", z[tail_start:], True, state, 24, tail_start)
    np.testing.assert_allclose(tail, full)
    out = np.linspace(-0.1, 0.1, 5)
    np.testing.assert_allclose(reconstruct("level", z[tail_start:], True, state, out, tail_start),
                               reconstruct("level", z, True, state, out))


def test_forecaster_predicts_the_same_from_its_tail_or_from_the_data() -> None:
    y = _seasonal_series(80)
    frame = pd.DataFrame({"unique_id": "s", "ds": pd.date_range("2000-01-01", periods=80,
                                                                freq="MS"), "y": y})
    model = Forecaster(horizon=6, epochs=5, ensemble=1).fit(frame.iloc[:70])
    pd.testing.assert_frame_equal(model.predict(), model.predict(data=frame.iloc[:70]))
    # a later origin: the stored indices stay aligned with the calendar
    later = model.predict(data=frame)
    refit_state = model.series_["s"]
    assert later["ds"].iloc[0] == pd.Timestamp("2006-09-01")
    assert np.all(np.isfinite(later["lstm"])) and refit_state.start + len(refit_state.tail) == 70
    new_state = model._states_for(frame)["s"]
    assert new_state.start + len(new_state.tail) == 80  # positions continue the training ones
