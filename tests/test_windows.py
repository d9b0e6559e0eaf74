"""Supervised windows: views not copies, the seasonal-residual framing on a hand-made series,
and (property-based) no window ever reads a value after its origin."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnforecast.data.windows import (
    N_CHANNELS,
    input_features,
    input_windows,
    reference,
    series_scale,
    sliding_windows,
    targets,
    training_origins,
)

# A tiny series with season 2: z_0 .. z_7
Z = np.array([1.0, 4.0, 2.0, 8.0, 5.0, 7.0, 3.0, 9.0])
S = 2.0  # a round scale so the expected numbers are exact


def test_sliding_windows_is_a_read_only_view() -> None:
    values = np.arange(10.0)
    views = sliding_windows(values, 4)
    assert views.shape == (7, 4)
    assert np.shares_memory(views, values)
    assert not views.flags.writeable
    assert views[2].tolist() == [2.0, 3.0, 4.0, 5.0]
    values[5] = 100.0  # a view sees later changes of its base
    assert views[2, 3] == 100.0


def test_sliding_windows_over_rows_of_a_matrix() -> None:
    feats = np.arange(12.0).reshape(6, 2)
    views = sliding_windows(feats, 3)
    assert views.shape == (4, 2, 3)  # (windows, channels, width)
    assert np.shares_memory(views, feats)
    assert views[1, 0].tolist() == [2.0, 4.0, 6.0]


def test_input_features_by_hand() -> None:
    feats = input_features(Z, 2, S)
    assert feats.shape == (8, N_CHANNELS)
    # (z_t - z_{t-2}) / 2 from t = 2; zero with flag 0 before
    assert feats[:, 0].tolist() == [0, 0, 0.5, 2.0, 1.5, -0.5, -1.0, 1.0]
    assert feats[:, 1].tolist() == [0, 0, 1, 1, 1, 1, 1, 1]


def test_input_features_zero_scale_divides_by_one() -> None:
    feats = input_features(np.full(5, 3.0), 1, 0.0)
    assert np.all(feats[:, 0] == 0.0)
    assert np.isfinite(feats).all()


def test_input_windows_shapes_values_and_left_padding() -> None:
    feats = input_features(Z, 2, S)
    windows = input_windows(feats, np.array([1, 3, 7]), 3)
    assert windows.shape == (3, 3, N_CHANNELS)
    assert windows.flags.c_contiguous
    assert windows[0].tolist() == [[0, 0], [0, 0], [0, 0]]  # steps -1, 0, 1
    assert windows[1].tolist() == [[0, 0], [0.5, 1], [2.0, 1]]  # steps 1, 2, 3
    assert windows[2].tolist() == [[-0.5, 1], [-1.0, 1], [1.0, 1]]  # steps 5, 6, 7
    # the window ending at origin 0 with a long lookback is all padding but its last row
    long = input_windows(feats, np.array([0]), 6)
    assert long.shape == (1, 6, 2)
    assert np.all(long == 0.0)


def test_reference_is_the_seasonal_naive_forecast() -> None:
    ref = reference(Z, np.array([3, 7]), 2, 5)
    # from origin 3 the last season is (z_2, z_3) = (2, 8), repeated
    assert ref[0].tolist() == [2.0, 8.0, 2.0, 8.0, 2.0]
    assert ref[1].tolist() == [3.0, 9.0, 3.0, 9.0, 3.0]
    assert reference(Z, np.array([4]), 1, 3)[0].tolist() == [5.0, 5.0, 5.0]  # naive


def test_targets_by_hand_and_their_inverse() -> None:
    origins = training_origins(len(Z), 2, 2)
    assert origins.tolist() == [1, 2, 3, 4, 5]
    y = targets(Z, origins, 2, 2, S)
    assert y.shape == (5, 2)
    # origin 3: future (z_4, z_5) = (5, 7), reference (2, 8)
    assert y[2].tolist() == [1.5, -0.5]
    # reference + scale * target gives the future back exactly
    ref = reference(Z, origins, 2, 2)
    future = np.stack([Z[t + 1 : t + 3] for t in origins])
    assert np.array_equal(ref + S * y, future)


def test_zero_output_reconstructs_seasonal_naive() -> None:
    """A network that outputs 0 forecasts reference + scale * 0 = seasonal naive."""
    origin = np.array([len(Z) - 1])
    forecast = reference(Z, origin, 2, 4)[0] + S * np.zeros(4)
    last_season = Z[-2:]
    assert forecast.tolist() == np.tile(last_season, 2).tolist()


def test_training_origins_keep_reference_and_target_inside() -> None:
    n, m, h = 20, 4, 3
    origins = training_origins(n, m, h)
    assert origins[0] == m - 1  # first origin with a whole season before it
    assert origins[-1] + h == n - 1  # last origin whose target ends at the last point
    assert len(training_origins(5, 4, 3)) == 0


def test_series_scale_by_hand() -> None:
    # lag-2 differences 1, 4, 3, 1, 2, 2
    assert series_scale(Z, 2) == pytest.approx(13 / 6)
    # lag 1 when the series is not longer than a season
    assert series_scale(np.array([1.0, 3.0, 2.0]), 12) == pytest.approx(1.5)
    # an exactly repeating season falls back to lag 1
    assert series_scale(np.array([1.0, 2.0] * 4), 2) == pytest.approx(1.0)
    assert series_scale(np.full(10, 4.0), 2) == 0.0
    assert series_scale(np.array([5.0]), 1) == 0.0


# ---------------------------------------------------------------- property-based


@st.composite
def framing(draw: st.DrawFn) -> tuple[np.ndarray, int, int, int, int]:
    season = draw(st.integers(1, 12))
    horizon = draw(st.integers(1, 12))
    n = draw(st.integers(season + horizon, 80))
    lookback = draw(st.integers(1, 30))
    values = draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n))
    origins = training_origins(n, season, horizon)
    origin = int(origins[draw(st.integers(0, len(origins) - 1))])
    return np.asarray(values), season, horizon, lookback, origin


@settings(max_examples=50, deadline=None)
@given(case=framing(), noise=st.floats(1.0, 1e6))
def test_property_windows_never_read_past_the_origin(
    case: tuple[np.ndarray, int, int, int, int], noise: float
) -> None:
    z, season, horizon, lookback, origin = case
    scale = 1.5
    changed = z.copy()
    changed[origin + 1 :] += noise  # everything after the origin differs
    at = np.array([origin])

    def inputs(series: np.ndarray) -> np.ndarray:
        return input_windows(input_features(series, season, scale), at, lookback)

    assert np.array_equal(inputs(z), inputs(changed))
    assert np.array_equal(reference(z, at, season, horizon),
                          reference(changed, at, season, horizon))
    # targets read exactly the next `horizon` values and nothing later
    later = z.copy()
    later[origin + horizon + 1 :] += noise
    assert np.array_equal(targets(z, at, season, horizon, scale),
                          targets(later, at, season, horizon, scale))
    moved = z.copy()
    moved[origin + horizon] += noise
    assert not np.array_equal(targets(z, at, season, horizon, scale),
                              targets(moved, at, season, horizon, scale))
    # and the reference lies inside the series
    assert origin - season + 1 >= 0
    assert origin + horizon <= len(z) - 1
