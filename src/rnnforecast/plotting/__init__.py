"""Figures (matplotlib, imported only when a figure is drawn): forecasts and training."""

from rnnforecast.plotting.figures import FORMATS, forecast_figure, training_figure

__all__ = ["FORMATS", "forecast_figure", "training_figure"]
