"""Which season the level framing deseasonalises a series with.

Hourly data repeat daily (24 steps) and weekly (168 steps: weekdays differ from weekends).
With the daily season the network had to learn each series' weekly pattern from windows of
48 hours that cannot see it; dividing by 168-step indices (which hold the daily pattern as
well) takes it out before the network sees the series. On the M4 hourly validation (last 48
training points held out, seed 0) this alone took sMAPE from 12.05 to 10.14 and MASE from
1.149 to 1.078 (BENCHMARKS.md, "M4 hourly: choosing the weekly season").

The rule: a season of 24 (hours in a day) becomes the week when the M4 seasonality test
finds a weekly season (it needs three weeks of data); otherwise, and for every other
season, the given season is kept (1 when the series is too short for one seasonal
reference plus a target).
"""

from __future__ import annotations

import numpy as np

from rnnforecast.baselines.benchmarks import is_seasonal

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 168


def framing_season(y: np.ndarray, season: int, out_size: int) -> int:
    """The season whose multiplicative indices the level framing removes from ``y``."""
    if season == HOURS_PER_DAY and np.all(y > 0) and is_seasonal(y, HOURS_PER_WEEK):
        return HOURS_PER_WEEK
    if len(y) < season + out_size:
        return 1  # too short for one seasonal reference plus a target: non-seasonal
    return season
