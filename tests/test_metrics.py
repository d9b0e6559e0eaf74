"""Accuracy measures against values computed by hand (M4 conventions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnforecast.metrics import coverage, mae, mape, mase, mase_scale, msis, owa, rmse, smape

Y = [1.0, 2.0, 3.0, 4.0]
F = [2.0, 2.0, 1.0, 4.0]  # errors: -1, 0, 2, 0


def test_rmse_by_hand() -> None:
    # squared errors 1, 0, 4, 0 -> mean 5/4
    assert rmse(Y, F) == pytest.approx(math.sqrt(5 / 4), rel=1e-15)


def test_mae_by_hand() -> None:
    assert mae(Y, F) == pytest.approx(3 / 4, rel=1e-15)


def test_mape_by_hand_in_percent() -> None:
    # |e|/|y|: 1/1, 0, 2/3, 0 -> mean (1 + 2/3) / 4, in percent
    assert mape(Y, F) == pytest.approx(100 * (1 + 2 / 3) / 4, rel=1e-12)


def test_mape_uses_absolute_actuals() -> None:
    assert mape([-2.0], [-1.0]) == pytest.approx(50.0)


def test_mape_zero_actual_is_inf_not_dropped() -> None:
    assert mape([0.0, 1.0], [1.0, 1.0]) == math.inf
    # both zero counts as a perfect point
    assert mape([0.0, 1.0], [0.0, 2.0]) == pytest.approx(50.0)


def test_smape_m4_definition_by_hand() -> None:
    # 200|y-f|/(|y|+|f|): 200*1/3, 0, 200*2/4, 0 -> mean
    expected = (200 / 3 + 100) / 4
    assert smape(Y, F) == pytest.approx(expected, rel=1e-12)


def test_smape_range_and_zero_over_zero() -> None:
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0  # 0/0 counts as 0, not NaN
    assert smape([0.0, 5.0], [0.0, 5.0]) == 0.0
    assert smape([1.0], [0.0]) == pytest.approx(200.0)  # the upper bound
    assert smape([1.0], [-1.0]) == pytest.approx(200.0)  # absolute values in the denominator
    assert smape([-1.0, 3.0], [-1.0, 3.0]) == 0.0


def test_smape_is_symmetric_in_its_arguments() -> None:
    assert smape([3.0, 1.0], [1.0, 2.0]) == pytest.approx(smape([1.0, 2.0], [3.0, 1.0]))


def test_mase_scale_is_mean_absolute_seasonal_difference() -> None:
    train = [1.0, 5.0, 2.0, 6.0, 4.0, 9.0]
    # lag 2: |2-1|, |6-5|, |4-2|, |9-6| -> (1 + 1 + 2 + 3) / 4
    assert mase_scale(train, 2) == pytest.approx(7 / 4)
    # lag 1: 4, 3, 4, 2, 5 -> 18 / 5
    assert mase_scale(train, 1) == pytest.approx(18 / 5)


def test_mase_by_hand() -> None:
    train = [1.0, 5.0, 2.0, 6.0, 4.0, 9.0]
    # MAE 3/4 over seasonal scale 7/4
    assert mase(Y, F, train, season_length=2) == pytest.approx((3 / 4) / (7 / 4))


def test_mase_falls_back_to_lag_one_for_a_short_series() -> None:
    train = [1.0, 3.0, 2.0]  # shorter than a season of 12
    assert mase_scale(train, 12) == pytest.approx((2 + 1) / 2)
    assert mase([4.0], [3.0], train, season_length=12) == pytest.approx(1 / 1.5)
    # exactly one season long is still too short for a seasonal difference
    assert mase_scale([1.0, 2.0, 4.0, 8.0], 4) == pytest.approx((1 + 2 + 4) / 3)


def test_mase_constant_training_series() -> None:
    train = [5.0] * 10
    assert mase_scale(train, 2) == 0.0
    assert mase([5.0, 5.0], [5.0, 5.0], train, 2) == 0.0
    assert mase([5.0, 5.0], [5.0, 6.0], train, 2) == math.inf


def test_mase_needs_two_training_values() -> None:
    with pytest.raises(ValueError, match="two training values"):
        mase_scale([1.0], 1)
    with pytest.raises(ValueError, match="season_length"):
        mase_scale([1.0, 2.0], 0)


def test_owa_by_hand() -> None:
    assert owa(10.0, 1.0, 20.0, 2.0) == pytest.approx(0.5)
    assert owa(20.0, 2.0, 20.0, 2.0) == pytest.approx(1.0)
    assert owa(15.0, 1.0, 10.0, 2.0) == pytest.approx(0.5 * (1.5 + 0.5))


def test_metrics_refuse_mismatched_or_empty_inputs() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        rmse([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="no values"):
        mae([], [])


def test_metrics_accept_arrays_of_any_shape() -> None:
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    f = np.array([2.0, 2.0, 1.0, 4.0])
    assert mae(a, f) == pytest.approx(3 / 4)
    assert isinstance(rmse(a, f), float)


def test_coverage_counts_points_inside_closed_intervals() -> None:
    # 1 inside, 2 on the lower end (inside), 3 above, 4 below
    assert coverage([1.0, 2.0, 3.0, 4.0], [0.0, 2.0, 0.0, 5.0], [2.0, 3.0, 2.5, 6.0]) == 0.5
    with pytest.raises(ValueError, match="differ in length"):
        coverage([1.0, 2.0], [0.0], [3.0, 3.0])


def test_msis_m4_definition_by_hand() -> None:
    y = [10.0, 20.0, 30.0]
    lo = [8.0, 21.0, 25.0]
    hi = [12.0, 25.0, 28.0]
    train = [1.0, 3.0, 2.0, 6.0]  # lag 2: |2-1|, |6-3| -> scale 2
    a = 0.2  # level 80
    # widths 4, 4, 3; penalties: y=20 below lo=21 by 1, y=30 above hi=28 by 2
    expected = ((4 + 4 + 3) + 2 / a * 1 + 2 / a * 2) / 3 / 2
    assert msis(y, lo, hi, train, 80, season_length=2) == pytest.approx(expected, rel=1e-12)


def test_msis_rewards_narrow_covering_intervals_and_handles_constant_training() -> None:
    y, train = [5.0, 5.0], [1.0, 2.0, 3.0]
    assert msis(y, [4.0, 4.0], [6.0, 6.0], train, 95) < msis(y, [0.0, 0.0], [9.0, 9.0], train, 95)
    assert msis(y, y, y, [2.0, 2.0, 2.0], 95) == 0.0
    assert msis(y, [4.0, 4.0], [6.0, 6.0], [2.0, 2.0, 2.0], 95) == math.inf
    with pytest.raises(ValueError, match="level"):
        msis(y, y, y, train, 100)
