"""Rolling-origin backtest: window boundaries, no test value seen in fitting, refit modes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnforecast.baselines.simple import SeasonalNaive
from rnnforecast.data.splits import backtest_splits
from rnnforecast.evaluation import run_protocol, summarise
from rnnforecast.forecaster import Forecaster


def _panel() -> pd.DataFrame:
    """Two series of different lengths and start dates."""
    a = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2000-01-01", periods=40, freq="MS"),
                      "y": np.arange(40.0) + 10})
    b = pd.DataFrame({"unique_id": "b", "ds": pd.date_range("2001-06-01", periods=30, freq="MS"),
                      "y": 100 + 5 * np.sin(np.arange(30.0))})
    return pd.concat([a, b], ignore_index=True)


def test_splits_tile_the_end_of_every_series() -> None:
    splits = backtest_splits(_panel(), horizon=4, windows=3, step=4)
    assert len(splits) == 3
    for w, (train, test) in enumerate(splits):
        for uid, n in (("a", 40), ("b", 30)):
            tr, te = train[train.unique_id == uid], test[test.unique_id == uid]
            end = n - (2 - w) * 4  # windows end 8, 4, 0 points before the series' end
            assert len(te) == 4 and len(tr) == end - 4
            assert tr["ds"].max() < te["ds"].min()  # training stops before the window
            full = _panel()[lambda f, u=uid: f.unique_id == u].reset_index(drop=True)
            assert te["ds"].tolist() == full["ds"].iloc[end - 4 : end].tolist()


def test_step_smaller_than_horizon_gives_overlapping_windows() -> None:
    splits = backtest_splits(_panel(), horizon=6, windows=3, step=2)
    tests = [t[t.unique_id == "a"]["ds"] for _, t in splits]
    assert tests[1].iloc[0] == tests[0].iloc[2]  # shifted by two steps
    assert tests[2].iloc[-1] == _panel()[lambda f: f.unique_id == "a"]["ds"].iloc[-1]


def test_no_test_value_is_ever_seen_in_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[pd.Timestamp] = []
    original_fit = Forecaster.fit

    def spy(self: Forecaster, data: pd.DataFrame) -> Forecaster:
        seen.append(data.groupby("unique_id")["ds"].max())
        return original_fit(self, data)

    monkeypatch.setattr(Forecaster, "fit", spy)
    result = run_protocol(_panel(), ["lstm"], horizon=4, protocol="backtest", windows=3,
                          epochs=3, ensemble=1)
    assert len(seen) == 3  # refitted at each origin
    scores = result.scores[result.scores.model == "lstm"]
    for w, last_train in enumerate(seen, start=1):
        window = result.forecasts[(result.forecasts.model == "lstm")
                                  & (result.forecasts.window == w)]
        first_test = window.groupby("unique_id")["ds"].min()
        assert (last_train < first_test).all()
        cut = scores[scores.window == w].set_index("unique_id")["cutoff"]
        assert {u: pd.Timestamp(c) for u, c in cut.items()} == last_train.to_dict()


def test_without_refit_models_are_fitted_once_and_forecast_from_true_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fits: list[int] = []
    original_fit = SeasonalNaive.fit

    def spy(self: SeasonalNaive, data: pd.DataFrame) -> SeasonalNaive:
        fits.append(len(data))
        return original_fit(self, data)

    monkeypatch.setattr(SeasonalNaive, "fit", spy)
    refit = run_protocol(_panel(), ["seasonal_naive"], horizon=4, protocol="backtest",
                         windows=3)
    assert len(fits) == 3
    fits.clear()
    once = run_protocol(_panel(), ["seasonal_naive"], horizon=4, protocol="backtest",
                        windows=3, refit=False)
    assert len(fits) == 1
    # Seasonal naive only looks at the history, so both modes agree exactly.
    pd.testing.assert_frame_equal(refit.scores.drop(columns="fit_seconds"),
                                  once.scores.drop(columns="fit_seconds"))


def test_scores_have_one_row_per_model_seed_window_and_series() -> None:
    result = run_protocol(_panel(), ["lstm", "naive"], horizon=3, protocol="backtest",
                          windows=2, seeds=2, epochs=2, ensemble=1)
    counts = result.scores.groupby("model").size().to_dict()
    assert counts == {"lstm": 2 * 2 * 2, "naive": 2 * 2, "seasonal_naive": 2 * 2}
    summary = summarise(result.scores).set_index("model")
    naive = result.scores[result.scores.model == "naive"]
    assert summary.loc["naive", "mase"] == pytest.approx(naive["mase"].mean())
    assert summary.loc["lstm", "seeds"] == 2


def test_series_too_short_for_the_windows_is_a_clear_error() -> None:
    from rnnforecast import DataError

    with pytest.raises(DataError, match="holding out the last"):
        run_protocol(_panel(), ["naive"], horizon=6, protocol="backtest", windows=5)
