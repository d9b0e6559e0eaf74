"""Prediction intervals: quantile heads, split conformal (networks and baselines), their
columns, ordering, coverage on noisy synthetic panels, persistence and the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from rnnforecast import Forecaster
from rnnforecast.baselines import SeasonalNaive
from rnnforecast.cli import app
from rnnforecast.errors import ConfigError
from rnnforecast.evaluation import run_protocol, summarise
from rnnforecast.forecaster.conformal import (
    Calibration,
    calibrate,
    conformal_frame,
    conformal_radius,
)
from rnnforecast.forecaster.heads import order_bounds
from rnnforecast.levels import format_level, interval_columns, parse_levels, quantiles_for
from rnnforecast.training.pinball import pinball, with_quantiles

FAST: dict[str, Any] = {"epochs": 5, "hidden_size": 4, "ensemble": 1, "guard": False}
ORDER = ["lstm-lo-95", "lstm-lo-80", "lstm", "lstm-hi-80", "lstm-hi-95"]


def noisy_panel(series: int = 8, n: int = 72, sd: float = 3.0, seed: int = 0) -> pd.DataFrame:
    """Monthly series: a seasonal pattern plus Gaussian noise (known spread, no trend)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(series):
        t = np.arange(n)
        y = 100 + 5 * i + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, sd, n)
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "y": y,
                                  "ds": pd.date_range("2000-01-01", periods=n, freq="MS")}))
    return pd.concat(rows, ignore_index=True)


def split(frame: pd.DataFrame, h: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    pos = frame.groupby("unique_id").cumcount(ascending=False)
    return frame[pos >= h].reset_index(drop=True), frame[pos < h].reset_index(drop=True)


def inside(actual: pd.DataFrame, fc: pd.DataFrame, model: str, level: str) -> float:
    m = actual.merge(fc, on=["unique_id", "ds"])
    return float(((m["y"] >= m[f"{model}-lo-{level}"]) & (m["y"] <= m[f"{model}-hi-{level}"]))
                 .mean())


# ------------------------------------------------------------------------ levels


def test_level_names_follow_statsforecast() -> None:
    assert format_level(80) == "80"
    assert format_level(80.0) == "80"
    assert format_level(97.5) == "97.5"
    assert interval_columns("gru", [95, 80]) == ["gru-lo-80", "gru-hi-80", "gru-lo-95",
                                                 "gru-hi-95"]
    assert quantiles_for([80]) == pytest.approx([0.1, 0.9])
    assert parse_levels("80, 97.5") == [80.0, 97.5]


@pytest.mark.parametrize("levels", [[0], [100], [80, 80], [], "80", [True], [-5], ["a"]])
def test_bad_levels_are_config_errors(levels: object) -> None:
    with pytest.raises(ConfigError, match="levels"):
        Forecaster(horizon=3, levels=levels).fit(noisy_panel(1))  # type: ignore[arg-type]


def test_bad_interval_options_are_config_errors() -> None:
    data = noisy_panel(1)
    with pytest.raises(ConfigError, match="conformal=True needs levels"):
        Forecaster(horizon=3, conformal=True).fit(data)
    with pytest.raises(ConfigError, match="conformal="):
        Forecaster(horizon=3, levels=[80], conformal="yes").fit(data)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="strategy='direct'"):
        Forecaster(horizon=3, levels=[80], strategy="recursive").fit(data)
    with pytest.raises(ConfigError, match="--levels"):
        parse_levels("80;95")


# ------------------------------------------------------------------ building blocks


def test_pinball_loss_is_minimised_by_the_quantile() -> None:
    y = torch.linspace(0, 1, 1001)
    for q in (0.1, 0.5, 0.9):
        grid = torch.linspace(0, 1, 101)
        losses = torch.stack([pinball(g.expand_as(y), y, q).mean() for g in grid])
        assert float(grid[int(torch.argmin(losses))]) == pytest.approx(q, abs=0.011)
    # by hand: q = 0.9, y - f = 2 -> 1.8; y - f = -2 -> 0.2
    assert pinball(torch.tensor([0.0, 4.0]), torch.tensor([2.0, 2.0]), 0.9).tolist() == \
        pytest.approx([1.8, 0.2])


def test_quantile_loss_keeps_the_point_loss_weight() -> None:
    point = lambda p, t: (p - t).abs()  # noqa: E731
    loss = with_quantiles(point, [0.1, 0.9])
    target = torch.zeros(1, 2, 3)
    pred = torch.cat([torch.ones(1, 2, 3), torch.zeros(1, 2, 6)], dim=-1)
    assert float(loss(pred, target).mean()) == pytest.approx(1.0)  # point MAE 1, pinball 0


def test_order_bounds_sorts_and_never_moves_the_point() -> None:
    point = np.array([10.0, 10.0])
    # crossing heads: lo80 above lo95's partner, hi80 below the point in step 2
    bounds = np.array([[8.0, 9.0], [12.0, 9.5], [9.0, 7.0], [11.0, 13.0]])
    out = order_bounds(point, bounds)
    lo80, hi80, lo95, hi95 = out
    assert np.all(lo95 <= lo80) and np.all(lo80 <= point) and np.all(point <= hi80)
    assert np.all(hi80 <= hi95)
    assert out[:, 0].tolist() == [9.0, 11.0, 8.0, 12.0]


def test_conformal_radius_is_the_finite_sample_quantile() -> None:
    scores = np.arange(1.0, 10.0)  # 9 scores: 80% -> ceil(10 * 0.8) = 8th smallest
    assert conformal_radius(scores, 80) == 8.0
    assert conformal_radius(scores, 95) == math.inf  # ceil(9.5) = 10 > 9
    assert conformal_radius(np.empty(0), 50) == math.inf


# ------------------------------------------------------------------ quantile heads


def test_quantile_heads_give_ordered_columns_and_keep_the_point_format() -> None:
    train, _ = split(noisy_panel(3, 60), 6)
    fc = Forecaster(horizon=6, levels=[95, 80], **FAST).fit(train).predict()
    assert list(fc.columns) == ["unique_id", "ds", "lstm", "lstm-lo-80", "lstm-hi-80",
                                "lstm-lo-95", "lstm-hi-95"]
    assert len(fc) == 18 and fc.notna().all().all()
    assert (np.diff(fc[ORDER].to_numpy(), axis=1) >= 0).all()


def test_quantile_heads_cover_about_the_nominal_share() -> None:
    train, test = split(noisy_panel(24, 96, seed=1), 12)
    f = Forecaster(horizon=12, levels=[80], epochs=60, hidden_size=8, ensemble=1)
    fc = f.fit(train).predict()
    share = inside(test, fc, "lstm", "80")
    assert 0.6 <= share <= 0.95, share  # zero-width or swapped heads would be near 0


def test_quantile_heads_with_other_cells_and_shorter_horizons() -> None:
    train, _ = split(noisy_panel(2, 60), 6)
    f = Forecaster("gru", horizon=6, levels=[90], **FAST).fit(train)
    fc = f.predict(horizon=3)
    assert list(fc.columns)[-2:] == ["gru-lo-90", "gru-hi-90"] and len(fc) == 6
    assert (fc["gru-lo-90"] <= fc["gru"]).all() and (fc["gru"] <= fc["gru-hi-90"]).all()


# ------------------------------------------------------------------------ conformal


def test_conformal_forecaster_keeps_the_point_forecast_and_covers() -> None:
    train, test = split(noisy_panel(24, 72, seed=2), 12)
    plain = Forecaster(horizon=12, epochs=30, hidden_size=8, ensemble=1).fit(train).predict()
    f = Forecaster(horizon=12, epochs=30, hidden_size=8, ensemble=1, levels=[80, 95],
                   conformal=True)
    fc = f.fit(train).predict()
    np.testing.assert_array_equal(fc["lstm"].to_numpy(), plain["lstm"].to_numpy())
    assert (np.diff(fc[ORDER].to_numpy(), axis=1) >= 0).all()
    assert f.conformal_.windows >= 1 and f.conformal_.scores >= 24
    assert 0.6 <= inside(test, fc, "lstm", "80") <= 0.97
    assert inside(test, fc, "lstm", "95") >= inside(test, fc, "lstm", "80")


def test_conformal_with_a_baseline_covers_about_the_nominal_share() -> None:
    data = noisy_panel(60, 84, seed=3)
    train, test = split(data, 12)
    model = SeasonalNaive(12).fit(train)
    fc = conformal_frame(lambda: SeasonalNaive(12), train, model.predict(),
                         column="seasonal_naive", horizon=12, levels=[80, 95], season=12)
    assert 0.68 <= inside(test, fc, "seasonal_naive", "80") <= 0.92
    assert 0.88 <= inside(test, fc, "seasonal_naive", "95") <= 1.0


def test_conformal_radius_by_hand_on_a_tiny_panel() -> None:
    # Two series, constant 10 then a jump: seasonal naive (m=1 on integers) errs by the jump.
    frame = pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 6, "ds": list(range(6)) * 2,
                          "y": [1, 2, 1, 2, 1, 5, 1, 2, 1, 2, 1, 3.0]})
    cal = calibrate(lambda: SeasonalNaive(1, season_length=1), frame, column="seasonal_naive",
                    horizon=1, levels=[50], season=1, windows=1)
    # scores: |5 - 1| / mean|diff| of a's first 5 (=1) = 4; |3 - 1| / 1 = 2 -> 50%: k = 2
    assert cal.radius == [[4.0]]
    assert cal.scales == {"a": pytest.approx(1.6), "b": pytest.approx(1.2)}


def test_recursive_conformal_intervals_cover_the_calibrated_horizon_only() -> None:
    f = Forecaster(horizon=6, strategy="recursive", levels=[80], conformal=True, **FAST)
    f.fit(noisy_panel(3, 60))
    assert list(f.predict(horizon=4).columns)[-2:] == ["lstm-lo-80", "lstm-hi-80"]
    with pytest.raises(ConfigError, match="calibrated for 6 steps"):
        f.predict(horizon=8)


def test_too_little_data_for_conformal_is_a_clear_error() -> None:
    frame = noisy_panel(1, 20)
    with pytest.raises(Exception, match=r"too few|long enough"):
        calibrate(lambda: SeasonalNaive(6), frame, column="seasonal_naive", horizon=6,
                  levels=[99], season=12, windows=1)


# ------------------------------------------------------------------------ save/load


@pytest.mark.parametrize("conformal", [False, True])
def test_save_load_keeps_intervals_identical(tmp_path: Path, conformal: bool) -> None:
    train, _ = split(noisy_panel(3, 60), 6)
    f = Forecaster(horizon=6, levels=[80, 95], conformal=conformal, **FAST).fit(train)
    f.save(tmp_path / "m.rnnf")
    g = Forecaster.load(tmp_path / "m.rnnf")
    pd.testing.assert_frame_equal(f.predict(), g.predict())
    assert g.levels == [80, 95] and g.conformal is conformal
    if conformal:
        assert isinstance(g.conformal_, Calibration)
        assert g.conformal_.to_json() == f.conformal_.to_json()


# ------------------------------------------------------------------------- evaluate


def test_evaluate_adds_coverage_and_msis_for_every_model_with_intervals() -> None:
    data = noisy_panel(6, 60)
    result = run_protocol(data, ["lstm", "naive", "drift"], horizon=6, levels=[80],
                          conformal=True, **FAST)
    scores = result.scores
    assert {"coverage_80", "msis_80"} <= set(scores.columns)
    assert scores["coverage_80"].notna().all()  # baselines too
    summary = summarise(scores)
    assert summary["coverage_80"].between(0, 1).all() and (summary["msis_80"] > 0).all()
    wide = result.forecast_frame()  # what the plots draw: every model's bounds
    for model in ("lstm", "naive", "drift", "seasonal_naive"):
        assert (wide[f"{model}-lo-80"] <= wide[model]).all()
        assert (wide[model] <= wide[f"{model}-hi-80"]).all()
    # the network alone (quantile heads) without conformal: baselines have no intervals
    heads = run_protocol(data, ["lstm"], horizon=6, levels=[80], **FAST).scores
    by_model = heads.groupby("model")["coverage_80"].apply(lambda s: s.notna().all())
    assert by_model.to_dict() == {"lstm": True, "seasonal_naive": False}


# ------------------------------------------------------------------------------ CLI


def test_cli_fit_predict_evaluate_with_levels(tmp_path: Path) -> None:
    runner = CliRunner()
    csv = tmp_path / "panel.csv"
    noisy_panel(4, 60).to_csv(csv, index=False)
    model = tmp_path / "m.rnnf"
    fast = ["--epochs", "5", "--hidden-size", "4", "--ensemble", "1"]
    done = runner.invoke(app, ["fit", str(csv), "--horizon", "6", "--levels", "80,95",
                               "--conformal", "--save", str(model), *fast])
    assert done.exit_code == 0, done.output
    assert Forecaster.load(model).conformal is True
    out = tmp_path / "fc.csv"
    done = runner.invoke(app, ["predict", str(model), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert list(pd.read_csv(out).columns)[2:] == ["lstm", "lstm-lo-80", "lstm-hi-80",
                                                  "lstm-lo-95", "lstm-hi-95"]
    done = runner.invoke(app, ["evaluate", str(csv), "--horizon", "6", "--models", "naive",
                               "--levels", "80", "--conformal", "--format", "json"])
    assert done.exit_code == 0, done.output
    records = json.loads(done.output)
    assert all(0 <= r["coverage_80"] <= 1 and r["msis_80"] > 0 for r in records)
    table = runner.invoke(app, ["evaluate", str(csv), "--horizon", "6", "--models", "naive",
                                "--levels", "80", "--conformal"])
    assert table.exit_code == 0 and "cover 80" in table.output and "MSIS 80" in table.output


@pytest.mark.parametrize("args", [["--levels", "80,80"], ["--levels", "0"],
                                  ["--conformal"], ["--levels", "x"]])
def test_cli_bad_levels_exit_2(tmp_path: Path, args: list[str]) -> None:
    csv = tmp_path / "panel.csv"
    noisy_panel(1, 40).to_csv(csv, index=False)
    done = CliRunner().invoke(app, ["fit", str(csv), "--horizon", "6", "--save",
                                    str(tmp_path / "m.rnnf"), *args])
    assert done.exit_code == 2
    assert "error:" in done.output and "levels" in done.output


def test_summary_worst_coverage_is_the_seed_farthest_from_nominal() -> None:
    scores = pd.DataFrame({
        "model": ["lstm"] * 3, "seed": [0, 1, 2], "unique_id": ["a"] * 3,
        "rmse": 1.0, "mae": 1.0, "mape": 1.0, "smape": 1.0, "mase": 1.0,
        "coverage_80": [0.78, 0.9, 0.75], "msis_80": [4.0, 5.0, 6.0],
    })
    row = summarise(scores).iloc[0]
    assert row["coverage_80"] == pytest.approx(0.81)
    assert row["coverage_80_max"] == pytest.approx(0.9)  # 0.10 from nominal beats 0.05
    assert row["msis_80_max"] == 6.0
    assert list(summarise(scores).columns).index("coverage_80") < \
        list(summarise(scores).columns).index("msis_80")


def test_conformal_intervals_for_a_series_that_repeats_exactly() -> None:
    # seasonal naive is exact here: a MASE scale of 0 used to leave no score to calibrate on
    pattern = np.random.default_rng(3).uniform(10, 20, 12)
    data = pd.DataFrame({"ds": pd.date_range("2000-01-01", periods=96, freq="MS"),
                         "y": np.tile(pattern, 8)})
    forecast = Forecaster(horizon=12, levels=[80], conformal=True, **FAST).fit(data).predict()
    lo, hi = forecast["lstm-lo-80"].to_numpy(), forecast["lstm-hi-80"].to_numpy()
    assert np.all(lo <= forecast["lstm"].to_numpy()) and np.all(forecast["lstm"] <= hi)
    assert np.all(hi - lo > 0)  # the network's own errors, in units of its step size
    constant = data.assign(y=7.5)
    flat = Forecaster(horizon=12, levels=[80], conformal=True, **FAST).fit(constant).predict()
    np.testing.assert_array_equal(flat["lstm-lo-80"], flat["lstm-hi-80"])  # exact: no width
