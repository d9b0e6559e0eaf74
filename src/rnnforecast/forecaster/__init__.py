"""The Forecaster package: ``Forecaster(model=...).fit(df).predict()``.

On the pattern of gluonts (an estimator trains; the fitted predictor forecasts and is saved)
and statsforecast (frames become arrays once), behind scikit-learn's API:

- `params`: parameter names, validation, adaptive defaults, the warm-start rule
- `state`: what a fitted model keeps of each series (`SeriesState`)
- `training_set`: the windows of a fit, built once from the long frame
- `network`: the network of a set of parameters
- `fit`: the fit, step by step
- `predictor`: the fitted, immutable `Predictor` (forecasts, streaming, interval columns)
- `heads` and `conformal`: prediction intervals (quantile heads, split conformal)
- `inputs`: covariates, series embeddings and seq2seq
- `modelfile`: save and load
- `estimator`: the `Forecaster` itself, a thin front over the above

Settings read while fitting or predicting live in the module that reads them
(``training_set.MAX_WINDOWS_PER_SERIES``, ``predictor.PREDICT_BATCH``): change them there.
"""

from rnnforecast.forecaster.conformal import Calibration
from rnnforecast.forecaster.estimator import Forecaster
from rnnforecast.forecaster.params import _PANEL as _PANEL  # the adaptive defaults (tests)
from rnnforecast.forecaster.params import _SMALL as _SMALL
from rnnforecast.forecaster.params import MODELS, PANEL_WINDOWS
from rnnforecast.forecaster.predictor import Predictor
from rnnforecast.forecaster.state import SeriesState
from rnnforecast.forecaster.training_set import MAX_WINDOWS_PER_SERIES

__all__ = [
    "MAX_WINDOWS_PER_SERIES",
    "MODELS",
    "PANEL_WINDOWS",
    "Calibration",
    "Forecaster",
    "Predictor",
    "SeriesState",
]
