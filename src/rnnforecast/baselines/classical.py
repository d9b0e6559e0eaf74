"""Classical models through statsforecast (a well-kept library: we do not re-implement them).

Each is also offered on the log scale (``auto_ets_log`` ...), fitted to log(y) and
exponentiated, which is what careful users do for multiplicative growth (it makes AutoETS
strong on AirPassengers). The log variants refuse non-positive data. statsforecast is
imported only when one of these models forecasts.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from rnnforecast.baselines.simple import Baseline
from rnnforecast.errors import DataError


class Classical(Baseline):
    """A statsforecast model forecasting one series at a time."""

    log: ClassVar[bool] = False
    seasonal = True

    def make_model(self, season: int) -> Any:
        raise NotImplementedError

    def forecast_series(self, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
        if self.log:
            if np.any(y <= 0):
                raise DataError(
                    f"{self.name} models log(y) and needs positive values, but a series has "
                    f"a value <= 0 (min {np.min(y):g}); use {self.name.removesuffix('_log')}"
                )
            y = np.log(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                mean = np.asarray(self.make_model(season).forecast(y=y, h=horizon)["mean"])
            except NotImplementedError:  # statsforecast's "tiny datasets"
                raise DataError(
                    f"{self.name} cannot be fitted to a series of {len(y)} points (statsforecast "
                    "refuses such tiny series); use a longer series, or leave "
                    f"{self.name} out of the models"
                ) from None
        if not np.all(np.isfinite(mean)):
            raise DataError(f"{self.name} produced a non-finite forecast; try another model")
        return np.exp(mean) if self.log else mean.astype(np.float64)


class AutoETS(Classical):
    name = "auto_ets"

    def make_model(self, season: int) -> Any:
        from statsforecast.models import AutoETS as Model

        return Model(season_length=season)


class AutoARIMA(Classical):
    name = "auto_arima"

    def make_model(self, season: int) -> Any:
        from statsforecast.models import AutoARIMA as Model

        return Model(season_length=season)


class Theta(Classical):
    name = "theta"

    def make_model(self, season: int) -> Any:
        from statsforecast.models import Theta as Model

        return Model(season_length=season)


class AutoETSLog(AutoETS):
    name = "auto_ets_log"
    log = True


class AutoARIMALog(AutoARIMA):
    name = "auto_arima_log"
    log = True


class ThetaLog(Theta):
    name = "theta_log"
    log = True


CLASSICAL: tuple[type[Classical], ...] = (
    AutoETS, AutoARIMA, Theta, AutoETSLog, AutoARIMALog, ThetaLog,
)
