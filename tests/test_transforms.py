"""Transforms: the log rule, scalers fitted on training data only, exact inversion."""

from __future__ import annotations

import numpy as np
import pytest

from rnnforecast import ConfigError, DataError
from rnnforecast.data.transforms import MinMaxScaler, StandardScaler, use_log, window_normalise

TRAIN = np.array([3.0, 7.0, 5.0, 11.0, 9.0])
TEST = np.array([20.0, -4.0, 8.0])  # outside the training range on both sides


def test_use_log_auto_only_when_all_positive() -> None:
    assert use_log([1.0, 2.0, 3.0], "auto") is True
    assert use_log([0.0, 2.0, 3.0], "auto") is False
    assert use_log([-1.0, 2.0], "auto") is False
    assert use_log([1e-300, 1.0], "auto") is True


def test_use_log_log_refuses_non_positive_values() -> None:
    assert use_log([1.0, 2.0], "log") is True
    with pytest.raises(DataError, match=r"transform='log'.*series 'abc'.*min 0.*'auto' or 'none'"):
        use_log([0.0, 2.0], "log", "abc")
    with pytest.raises(DataError, match=r"min -2"):
        use_log([-2.0, 2.0], "log")


def test_use_log_none_never_logs() -> None:
    assert use_log([1.0, 2.0], "none") is False
    assert use_log([-1.0, 2.0], "none") is False


def test_use_log_unknown_transform() -> None:
    with pytest.raises(ConfigError, match=r"unknown transform 'sqrt'.*auto, log, none"):
        use_log([1.0], "sqrt")


def test_minmax_parameters_come_from_training_data_only() -> None:
    scaler = MinMaxScaler().fit(TRAIN)
    assert scaler.low == 3.0
    assert scaler.span == 8.0  # 11 - 3
    assert scaler.transform(TRAIN).min() == 0.0
    assert scaler.transform(TRAIN).max() == 1.0
    # test values are mapped with the training parameters, not refitted to [0, 1]
    assert scaler.transform(TEST).tolist() == [17 / 8, -7 / 8, 5 / 8]
    assert scaler.to_dict() == {"low": 3.0, "span": 8.0}


def test_minmax_inverts_exactly() -> None:
    scaler = MinMaxScaler().fit(TRAIN)
    values = np.concatenate([TRAIN, TEST])
    assert np.array_equal(scaler.inverse(scaler.transform(values)), values)
    rng = np.random.default_rng(0)
    random = rng.normal(100.0, 30.0, size=200)
    fitted = MinMaxScaler().fit(random[:150])
    np.testing.assert_allclose(fitted.inverse(fitted.transform(random)), random, rtol=1e-14)


def test_minmax_constant_series() -> None:
    scaler = MinMaxScaler().fit([4.0, 4.0, 4.0])
    assert scaler.span == 1.0
    assert scaler.transform([4.0]).tolist() == [0.0]
    assert scaler.inverse([0.0]).tolist() == [4.0]


def test_standard_parameters_come_from_training_data_only() -> None:
    scaler = StandardScaler().fit(TRAIN)
    assert scaler.mean == pytest.approx(TRAIN.mean())
    assert scaler.std == pytest.approx(TRAIN.std())
    assert scaler.transform(TRAIN).mean() == pytest.approx(0.0, abs=1e-15)
    assert scaler.transform(TRAIN).std() == pytest.approx(1.0)
    # fitting on train + test would give other parameters: the test part was not seen
    assert StandardScaler().fit(np.concatenate([TRAIN, TEST])).mean != scaler.mean
    values = np.concatenate([TRAIN, TEST])
    np.testing.assert_allclose(scaler.inverse(scaler.transform(values)), values, rtol=1e-15)
    assert set(scaler.to_dict()) == {"mean", "std"}


def test_standard_constant_series() -> None:
    scaler = StandardScaler().fit([2.0, 2.0])
    assert scaler.std == 1.0
    assert scaler.transform([2.0, 3.0]).tolist() == [0.0, 1.0]


def test_window_normalise() -> None:
    windows = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 40.0]])
    centred, level = window_normalise(windows)
    assert level.shape == (2, 1)
    assert level[:, 0].tolist() == [2.0, 20.0]
    assert centred.tolist() == [[-1.0, 0.0, 1.0], [-10.0, -10.0, 20.0]]
    assert np.array_equal(centred + level, windows)
    # works on a batch of windows of any leading shape, window along the last axis
    batch = np.arange(24.0).reshape(2, 3, 4)
    centred, level = window_normalise(batch)
    np.testing.assert_allclose(centred.mean(axis=-1), 0.0, atol=1e-12)
    assert np.array_equal(centred + level, batch)
