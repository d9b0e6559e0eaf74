"""Figures: files written atomically in the asked format, with every element present."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnnforecast import ConfigError, DataError
from rnnforecast.plotting import forecast_figure, training_figure

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def plot_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ds = pd.date_range("2015-01-01", periods=48, freq="MS")
    y = 100 + np.arange(48) + 10 * np.sin(np.arange(48) / 12 * 2 * np.pi)
    history = pd.DataFrame({"unique_id": "s", "ds": ds[:36], "y": y[:36]})
    actuals = pd.DataFrame({"unique_id": "s", "ds": ds[36:], "y": y[36:]})
    forecasts = pd.DataFrame({"unique_id": "s", "ds": ds[36:], "lstm": y[36:] + 1,
                              "lstm-lo-80": y[36:] - 5, "lstm-hi-80": y[36:] + 7,
                              "seasonal_naive": y[24:36]})
    return history, forecasts, actuals


def svg_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_forecast_figure_draws_every_element(
        plot_frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], tmp_path: Path) -> None:
    import matplotlib

    history, forecasts, actuals = plot_frames
    out = tmp_path / "fc.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # keep text as text in the SVG
        forecast_figure(history, forecasts, actuals, path=out, title="demo MASE 0.57",
                        scores={"lstm": 0.57, "seasonal_naive": 2.49})
    text = svg_text(out)
    for label in ("demo MASE 0.57", "history", "actual (held out)", "lstm (MASE 0.57)",
                  "seasonal_naive (MASE 2.49)", "lstm 80% interval", "forecast start"):
        assert label in text, label
    assert "lstm-lo-80" not in text  # interval columns are not drawn as models


def test_forecast_figure_writes_png_for_many_series_and_integer_steps(
        tmp_path: Path) -> None:
    history = pd.DataFrame({"unique_id": np.repeat(["a", "b", "c"], 10),
                            "ds": np.tile(np.arange(10), 3), "y": np.arange(30.0)})
    forecasts = pd.DataFrame({"unique_id": np.repeat(["a", "b", "c"], 2),
                              "ds": np.tile([10, 11], 3), "gru": np.ones(6)})
    out = forecast_figure(history, forecasts, path=tmp_path / "many.png", max_series=2)
    assert out.read_bytes().startswith(PNG)


def test_training_figure_shows_losses_gradients_and_clip(tmp_path: Path) -> None:
    import matplotlib

    history = {"train_loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.7, 0.6],
               "grad_norm": [3.0, 0.8, 0.2], "grad_norm_max": [5.0, 1.0, 0.3]}
    out = tmp_path / "training.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        training_figure(history, 1.0, path=out, title="lstm training")
    text = svg_text(out)
    for label in ("training loss", "validation loss", "gradient norm (mean over steps)",
                  "gradient norm (largest step)", "clip threshold 1", "epoch", "lstm training"):
        assert label in text, label
    png = training_figure({"train_loss": [1.0, 0.5], "val_loss": [float("nan")] * 2},
                          None, path=tmp_path / "t.png")
    assert png.read_bytes().startswith(PNG)


def test_bad_requests_raise_before_touching_the_file(
        plot_frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], tmp_path: Path) -> None:
    history, forecasts, _ = plot_frames
    keep = tmp_path / "keep.png"
    keep.write_bytes(b"old content")
    with pytest.raises(ConfigError, match=r"extension '\.jpg'"):
        forecast_figure(history, forecasts, path=tmp_path / "x.jpg")
    with pytest.raises(DataError, match="no model column"):
        forecast_figure(history, forecasts[["unique_id", "ds"]], path=keep)
    with pytest.raises(DataError, match="no training history"):
        training_figure({"train_loss": []}, 1.0, path=keep)
    assert keep.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]  # no temporary left


def test_importing_plotting_does_not_import_matplotlib_or_pyplot() -> None:
    code = ("import sys, rnnforecast.plotting; assert 'matplotlib' not in sys.modules; "
            "import pandas as pd, numpy as np; from rnnforecast.plotting import "
            "training_figure as t; import tempfile, os; "
            "t({'train_loss': [1.0, 0.5]}, 1.0, path=os.path.join(tempfile.mkdtemp(), 'a.png'));"
            " assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
