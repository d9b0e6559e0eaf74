"""Baselines with the `Forecaster` interface, held beside every network's forecast.

``BASELINES`` maps a name to its class; each is ``Cls(horizon, season_length=None)
.fit(data).predict(horizon=None, data=None)`` returning ``unique_id, ds, <name>``.
"""

from rnnforecast.baselines.benchmarks import Drift, Mean, Naive2, SeasonalDrift
from rnnforecast.baselines.classical import CLASSICAL
from rnnforecast.baselines.simple import BASELINES, Baseline, Naive, SeasonalNaive, make_baseline

_MORE: tuple[type[Baseline], ...] = (Drift, Mean, SeasonalDrift, Naive2, *CLASSICAL)
BASELINES.update({cls.name: cls for cls in _MORE})

__all__ = [
    "BASELINES",
    "Baseline",
    "Drift",
    "Mean",
    "Naive",
    "Naive2",
    "SeasonalDrift",
    "SeasonalNaive",
    "make_baseline",
]
