"""Evaluation protocols: hold-out splits, scores recomputed by hand, summaries, the tutorial
protocol's published persistence figure, and that models never see test values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from rnnforecast import ConfigError, DataError, Forecaster, load_dataset
from rnnforecast.evaluation import (
    METRICS,
    evaluate,
    run_protocol,
    summarise,
    summary_records,
    tutorial_split,
)
from rnnforecast.metrics import mae, mape, mase, rmse, smape

FAST = {"hidden_size": 4, "epochs": 3, "ensemble": 1, "guard": False}


@pytest.fixture(scope="module")
def eval_air() -> pd.DataFrame:
    return load_dataset("airpassengers")


def two_series() -> pd.DataFrame:
    t = np.arange(40)
    ds = pd.date_range("2010-01-01", periods=40, freq="MS")
    a = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 50 + t + 5 * np.sin(t)})
    b = pd.DataFrame({"unique_id": "b", "ds": ds, "y": 200 - 2 * t + 3 * np.cos(t)})
    return pd.concat([a, b], ignore_index=True)


def hand_scores(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray,
                m: int) -> dict[str, float]:
    return {"rmse": rmse(actual, forecast), "mae": mae(actual, forecast),
            "mape": mape(actual, forecast), "smape": smape(actual, forecast),
            "mase": mase(actual, forecast, train, m)}


# --------------------------------------------------------------------------- holdout


def test_holdout_baselines_match_hand_computed_scores(eval_air: pd.DataFrame) -> None:
    scores = evaluate(eval_air, ["naive"], horizon=24)
    assert list(scores["model"]) == ["naive", "seasonal_naive"]  # seasonal naive added
    y = eval_air["y"].to_numpy()
    train, test = y[:120], y[120:]
    expected = {"naive": np.full(24, train[-1]), "seasonal_naive": np.tile(train[-12:], 2)}
    for _, row in scores.iterrows():
        want = hand_scores(test, expected[row["model"]], train, 12)
        for metric in METRICS:
            assert row[metric] == pytest.approx(want[metric], rel=1e-12)
    snaive = scores.set_index("model").loc["seasonal_naive"]
    assert round(snaive["mase"], 2) == 2.49  # ANCHORS: SeasonalNaive MASE 2.49, MAPE 15.5
    assert round(snaive["mape"], 1) == 15.5


def test_holdout_with_a_test_frame_equals_holding_out_the_tail(eval_air: pd.DataFrame) -> None:
    tail = evaluate(eval_air, ["naive", "seasonal_naive"], horizon=24)
    given = evaluate(eval_air.iloc[:120], ["naive", "seasonal_naive"], horizon=24,
                     test=eval_air.iloc[120:])
    cols = ["model", "seed", "unique_id", *METRICS]
    pd.testing.assert_frame_equal(tail[cols], given[cols])


def test_single_series_test_may_name_its_value_column_differently(
        eval_air: pd.DataFrame) -> None:
    test = eval_air.iloc[120:].set_index("ds")["y"].rename("passengers")
    scores = evaluate(eval_air.iloc[:120], ["naive"], horizon=24, test=test)
    assert set(scores["unique_id"]) == {"AirPassengers"}


def test_every_series_is_scored_with_its_own_training_scale() -> None:
    data = two_series()
    scores = evaluate(data, ["naive"], horizon=6, season_length=4)
    assert sorted(scores["unique_id"].unique()) == ["a", "b"]
    for uid, g in data.groupby("unique_id"):
        y = g["y"].to_numpy()
        row = scores[(scores["unique_id"] == uid) & (scores["model"] == "naive")].iloc[0]
        assert row["mase"] == pytest.approx(mase(y[-6:], np.full(6, y[-7]), y[:-6], 4))


def test_deep_models_are_fitted_once_per_seed_and_reproducible() -> None:
    data = two_series()
    result = run_protocol(data, ["gru", "naive"], horizon=4, seeds=2, **FAST)
    scores = result.scores
    assert sorted(scores.loc[scores["model"] == "gru", "seed"].unique()) == [0, 1]
    assert set(scores.loc[scores["model"] != "gru", "seed"]) == {0}
    assert (scores["fit_seconds"] >= 0).all()
    train, test = result.train, result.test
    for seed in (0, 1):
        fc = Forecaster("gru", horizon=4, seed=seed, **FAST).fit(train).predict()
        for uid in ("a", "b"):
            actual = test.loc[test["unique_id"] == uid, "y"].to_numpy()
            pred = fc.loc[fc["unique_id"] == uid, "gru"].to_numpy()
            y_train = train.loc[train["unique_id"] == uid, "y"].to_numpy()
            row = scores[(scores["model"] == "gru") & (scores["seed"] == seed)
                         & (scores["unique_id"] == uid)].iloc[0]
            assert row["mase"] == pytest.approx(mase(actual, pred, y_train, 12), rel=1e-9)
    wide = result.forecast_frame(seed=1)
    assert list(wide.columns) == ["unique_id", "ds", "y", "gru", "naive", "seasonal_naive"]
    assert len(wide) == 8


@pytest.mark.parametrize(("test_rows", "message"), [
    (lambda t: t[t["unique_id"] == "a"], "no test values for series 'b'"),
    (lambda t: pd.concat([t, t[t["unique_id"] == "a"].assign(unique_id="c")]),
     "series 'c' is in the test data"),
    (lambda t: t.groupby("unique_id").head(3), "has 3 test points but the horizon is 4"),
    (lambda t: t.assign(ds=t["ds"] + pd.DateOffset(months=1)), "must continue it exactly"),
    (lambda t: t.assign(ds=t["ds"] - pd.DateOffset(months=2)), "must continue it exactly"),
])
def test_a_test_set_that_does_not_continue_the_training_data_is_refused(
        test_rows: Any, message: str) -> None:
    data = two_series()
    position = data.groupby("unique_id").cumcount(ascending=False)
    train, test = data[position >= 4], data[position < 4]
    with pytest.raises(DataError, match=message):
        evaluate(train, ["naive"], horizon=4, test=test_rows(test))


def test_too_short_series_and_bad_options_are_clear_errors(eval_air: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="holding out the last 24 leaves 6"):
        evaluate(eval_air.iloc[:30], ["lstm"], horizon=24)
    with pytest.raises(ConfigError, match="unknown model 'tcn'"):
        evaluate(eval_air, ["tcn"], horizon=3)
    with pytest.raises(ConfigError, match="horizon"):
        evaluate(eval_air, ["naive"], horizon=0)
    with pytest.raises(ConfigError, match="seeds"):
        evaluate(eval_air, ["naive"], horizon=3, seeds=0)
    with pytest.raises(ConfigError, match="seed= is set by the evaluation"):
        evaluate(eval_air, ["lstm"], horizon=3, seed=3)
    with pytest.raises(ConfigError, match="unknown Forecaster option 'epoch'"):
        evaluate(eval_air, ["lstm"], horizon=3, epoch=3)
    with pytest.raises(ConfigError, match="windows=0"):
        evaluate(eval_air, ["naive"], horizon=3, protocol="backtest", windows=0)
    with pytest.raises(ConfigError, match="drop test="):
        evaluate(eval_air, ["naive"], horizon=3, protocol="backtest", test=eval_air)
    with pytest.raises(ConfigError, match="unknown protocol"):
        evaluate(eval_air, ["naive"], horizon=3, protocol="cv")


# --------------------------------------------------------------------------- summary


def test_summary_averages_series_then_seeds_with_sample_sd_and_worst_seed() -> None:
    rows = []
    for seed, values in ((0, (1.0, 3.0)), (1, (3.0, 5.0)), (2, (5.0, 7.0))):
        for uid, v in zip("xy", values, strict=True):
            rows.append({"model": "lstm", "seed": seed, "unique_id": uid,
                         **dict.fromkeys(METRICS, v), "fit_seconds": 1.0 + seed})
    for uid, v in zip("xy", (4.0, 4.0), strict=True):
        rows.append({"model": "seasonal_naive", "seed": 0, "unique_id": uid,
                     **dict.fromkeys(METRICS, v), "fit_seconds": 0.5})
    summary = summarise(pd.DataFrame(rows)).set_index("model")
    lstm = summary.loc["lstm"]  # per-seed means over series: 2, 4, 6
    assert (lstm["seeds"], lstm["series"]) == (3, 2)
    assert lstm["mase"] == pytest.approx(4.0)
    assert lstm["mase_sd"] == pytest.approx(2.0)  # ddof=1
    assert lstm["mase_max"] == pytest.approx(6.0)
    assert lstm["fit_seconds"] == pytest.approx(2.0)
    assert bool(lstm["beats_seasonal_naive"]) is False  # 4.0 is not below 4.0
    snaive = summary.loc["seasonal_naive"]
    assert (snaive["seeds"], snaive["mase_sd"], snaive["mase_max"]) == (1, 0.0, 4.0)
    assert bool(snaive["beats_seasonal_naive"]) is False


def test_summary_records_are_json_ready() -> None:
    frame = pd.DataFrame([
        {"model": "naive", "seed": 0, "unique_id": "a", **dict.fromkeys(METRICS, 1.0),
         "fit_seconds": 0.0},
        {"model": "seasonal_naive", "seed": 0, "unique_id": "a",
         **dict.fromkeys(METRICS, 2.0), "mape": float("inf"), "fit_seconds": 0.0},
    ])
    records = summary_records(summarise(frame))
    assert records[0]["beats_seasonal_naive"] is True
    assert isinstance(records[0]["seeds"], int)
    assert records[1]["mape"] is None  # inf has no JSON form


# -------------------------------------------------------------------------- tutorial


def test_tutorial_split_reproduces_the_off_by_one() -> None:
    train_size, targets = tutorial_split(144, 1)
    assert train_size == 96
    assert targets[0] == 97 and targets[-1] == 142 and targets.size == 46
    assert tutorial_split(144, 3)[1].size == 44


def test_tutorial_persistence_is_the_published_48_7(eval_air: pd.DataFrame) -> None:
    result = run_protocol(eval_air, ["naive"], protocol="tutorial", lookback=1)
    summary = result.summary().set_index("model")
    assert list(summary.index) == ["persistence", "seasonal_naive"]
    persistence = summary.loc["persistence"]
    assert round(persistence["rmse"], 1) == 48.7  # ANCHORS: persistence 48.7, scaled 0.0939
    assert round(persistence["scaled_rmse"], 4) == 0.0939
    assert result.notes["test_points"] == 46 and result.notes["train_points"] == 96
    y = eval_air["y"].to_numpy()
    fc = result.forecasts[result.forecasts["model"] == "persistence"]["forecast"].to_numpy()
    np.testing.assert_array_equal(fc, y[96:142])  # the true value one step before each target
    assert persistence["rmse"] == pytest.approx(rmse(y[97:143], y[96:142]))


def test_tutorial_models_never_see_test_values(
        eval_air: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, list[Any]] = {"fit": [], "predict": []}
    fit, predict = Forecaster.fit, Forecaster.predict

    def spy_fit(self: Forecaster, data: Any) -> Forecaster:
        seen["fit"].append(pd.DataFrame(data).copy())
        return fit(self, data)

    def spy_predict(self: Forecaster, horizon: int | None = None, data: Any = None) -> Any:
        seen["predict"].append(None if data is None else pd.DataFrame(data)["ds"].max())
        return predict(self, horizon, data)

    monkeypatch.setattr(Forecaster, "fit", spy_fit)
    monkeypatch.setattr(Forecaster, "predict", spy_predict)
    result = run_protocol(eval_air, ["lstm"], protocol="tutorial", lookback=1, **FAST)
    (fitted,) = seen["fit"]
    assert len(fitted) == 96
    assert fitted["ds"].max() == pd.Timestamp("1956-12-01")  # training part only
    targets = result.test["ds"].tolist()
    assert len(seen["predict"]) == len(targets) == 46
    for last_seen, target in zip(seen["predict"], targets, strict=True):
        assert last_seen == target - pd.DateOffset(months=1)  # history up to the origin
    lstm = result.summary().set_index("model").loc["lstm"]
    assert np.isfinite(lstm["rmse"]) and lstm["scaled_rmse"] == pytest.approx(
        lstm["rmse"] / 518)
    model = result.fitted["lstm"]
    assert model.lookback_ == 1 and model.horizon == 1 and model.strategy == "direct"


def test_tutorial_refuses_many_series_and_multi_step() -> None:
    with pytest.raises(DataError, match="one series, the data has 2"):
        run_protocol(two_series(), ["naive"], protocol="tutorial")
    with pytest.raises(ConfigError, match="one step ahead"):
        run_protocol(two_series(), ["naive"], protocol="tutorial", horizon=3)
