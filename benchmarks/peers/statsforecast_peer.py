"""statsforecast ``AutoETS(season_length=12)`` on log(y), the classical reference
(benchmarks/.venvs/statsforecast). The forecast is exp() of the log-scale point forecast.
The first fit (numba compiles on first use, or loads its cache) is timed on its own."""

from __future__ import annotations

import _common  # first: one-thread variables before numpy/torch load
import numpy as np
import pandas as pd
import statsforecast
from statsforecast import StatsForecast
from statsforecast.models import AutoETS


def fit_predict(train: pd.DataFrame, horizon: int):
    logged = train.assign(y=np.log(train["y"]))
    sf = StatsForecast(models=[AutoETS(season_length=12)], freq="MS", n_jobs=1)
    sf.fit(logged)
    return np.exp(sf.predict(h=horizon)["AutoETS"].to_numpy())


def main() -> None:
    args = _common.arguments(__doc__ or "")
    ds, y = _common.load(args.data)
    frame = pd.DataFrame({"unique_id": "AirPassengers", "ds": pd.to_datetime(ds), "y": y})
    train = frame.iloc[: args.train].reset_index(drop=True)
    first = _common.timed_runs(lambda seed: fit_predict(train, args.horizon), 1)[0]
    runs = _common.timed_runs(lambda seed: fit_predict(train, args.horizon), args.runs)
    _common.report("statsforecast", {"statsforecast": statsforecast.__version__},
                   {"model": "AutoETS(season_length=12)", "on": "log(y)", "n_jobs": 1},
                   runs, first_fit_cpu_s=first["cpu_s"])


if __name__ == "__main__":
    main()
