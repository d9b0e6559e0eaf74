"""Transforms: the log rule."""

from __future__ import annotations

import pytest

from rnnforecast import ConfigError, DataError
from rnnforecast.data.transforms import use_log


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
