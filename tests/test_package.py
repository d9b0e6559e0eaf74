"""The package surface: cheap import, version, typing marker, public names."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib import resources

import pytest

import rnnforecast


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, check=True, timeout=120)
    return result.stdout


def test_import_does_not_import_torch() -> None:
    out = run_python(
        """
        import sys
        import rnnforecast
        print("torch" in sys.modules)
        # reading data and the embedded datasets do not need torch either
        import numpy as np
        rnnforecast.read_series(np.arange(5.0))
        rnnforecast.load_dataset("airpassengers")
        from rnnforecast import metrics
        metrics.smape([1.0], [2.0])
        print("torch" in sys.modules)
        print(sorted(m for m in sys.modules if m.startswith("matplotlib"))[:1])
        """
    )
    assert out.split("\n")[:3] == ["False", "False", "[]"]


def test_version_is_a_string() -> None:
    assert isinstance(rnnforecast.__version__, str)
    parts = rnnforecast.__version__.split(".")
    assert len(parts) >= 2 and all(p.isdigit() for p in parts[:2])


def test_version_matches_the_installed_metadata() -> None:
    from importlib.metadata import version

    assert version("rnnforecast") == rnnforecast.__version__


def test_py_typed_marker_is_shipped() -> None:
    assert (resources.files("rnnforecast") / "py.typed").is_file()


def test_public_names() -> None:
    for name in rnnforecast.__all__:
        assert getattr(rnnforecast, name) is not None
    from rnnforecast.forecaster import Forecaster

    assert rnnforecast.Forecaster is Forecaster
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rnnforecast.nope  # noqa: B018


def test_error_hierarchy() -> None:
    for error in (rnnforecast.DataError, rnnforecast.ConfigError, rnnforecast.ModelFileError):
        assert issubclass(error, rnnforecast.RnnForecastError)
    assert issubclass(rnnforecast.DataError, ValueError)
    assert issubclass(rnnforecast.ConfigError, ValueError)
