"""``lstm_ets_theta``: the network's forecast averaged with AutoETS and Theta, with fallbacks
where statsforecast cannot fit a series, clipping like the network's, and a place in every
evaluation protocol and the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rnnforecast.baselines import BASELINES
from rnnforecast.cli import app
from rnnforecast.combination import LstmEtsTheta, load_model_file, weighted_mean
from rnnforecast.errors import ConfigError, DataError, ModelFileError
from rnnforecast.evaluation import run_protocol
from rnnforecast.forecaster import Forecaster
from rnnforecast.forecaster.modelfile import save_model

FAST = {"epochs": 3, "hidden_size": 8, "ensemble": 1}


def _monthly(n: int, uid: str, level: float = 100.0, slope: float = 1.0) -> pd.DataFrame:
    t = np.arange(n, dtype=np.float64)
    y = level + slope * t + 10 * np.sin(2 * np.pi * t / 12)
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2000-01-01", periods=n,
                                                                freq="MS"), "y": y})


def _panel() -> pd.DataFrame:
    return pd.concat([_monthly(60, "a"), _monthly(48, "b", 50.0, 0.5)], ignore_index=True)


def test_the_forecast_is_half_the_network_and_a_quarter_each_of_ets_and_theta() -> None:
    data = _panel()
    combined = LstmEtsTheta(6, 12, seed=1, **FAST).fit(data).predict()
    net = Forecaster("lstm", horizon=6, seed=1, season_length=12, **FAST).fit(data).predict()
    ets = BASELINES["auto_ets"](6, 12).fit(data).predict()
    theta = BASELINES["theta"](6, 12).fit(data).predict()
    expected = 0.5 * net["lstm"] + 0.25 * ets["auto_ets"] + 0.25 * theta["theta"]
    assert list(combined.columns) == ["unique_id", "ds", "lstm_ets_theta"]
    pd.testing.assert_frame_equal(combined[["unique_id", "ds"]], net[["unique_id", "ds"]])
    np.testing.assert_allclose(combined["lstm_ets_theta"], expected, rtol=1e-12)
    assert LstmEtsTheta.weights == {"lstm": 0.5, "auto_ets": 0.25, "theta": 0.25}


def test_a_series_statsforecast_cannot_fit_is_combined_from_the_others() -> None:
    # AutoETS refuses 5 points, Theta takes them: that series is (0.5 net + 0.25 theta) / 0.75
    data = pd.concat([_monthly(40, "long"), _monthly(5, "short")], ignore_index=True)
    model = LstmEtsTheta(2, 1, seed=0, **FAST).fit(data)
    combined = model.predict().set_index("unique_id")["lstm_ets_theta"]
    net = model.network_.predict().set_index("unique_id")["lstm"]
    theta = BASELINES["theta"](2, 1).fit(data).predict().set_index("unique_id")["theta"]
    np.testing.assert_allclose(combined["short"],
                               (0.5 * net["short"] + 0.25 * theta["short"]) / 0.75)
    with pytest.raises(DataError, match="auto_ets cannot be fitted to a series of 5 points"):
        BASELINES["auto_ets"](2, 1).fit(data).predict()
    unfit = BASELINES["auto_ets"](2, 1).fit(data).predict(unfit=True)
    assert unfit.loc[unfit["unique_id"] == "short", "auto_ets"].isna().all()
    assert unfit.loc[unfit["unique_id"] == "long", "auto_ets"].notna().all()


def test_weighted_mean_renormalises_over_the_models_present() -> None:
    values = np.array([[1.0, 2.0, 3.0], [1.0, np.nan, 3.0], [1.0, np.nan, np.nan]])
    out = weighted_mean(values, np.array([0.5, 0.25, 0.25]))
    np.testing.assert_allclose(out, [1.75, (0.5 + 0.75) / 0.75, 1.0])


def test_a_nonnegative_series_is_never_forecast_below_zero() -> None:
    # a count falling to zero: the linear classical models run below 0, the combination not
    y = np.concatenate([np.linspace(40.0, 2.0, 30), [1.0, 0.5, 0.0, 0.0]])
    data = pd.DataFrame({"unique_id": "c", "y": y,
                         "ds": pd.date_range("2000", periods=len(y), freq="YS")})
    ets = BASELINES["auto_ets"](8, 1).fit(data).predict()["auto_ets"]
    assert (ets < 0).any()  # the premise: without clipping the average could go negative
    clipped = LstmEtsTheta(8, 1, seed=0, **FAST).fit(data).predict()["lstm_ets_theta"]
    assert (clipped >= 0).all()
    free = LstmEtsTheta(8, 1, seed=0, nonnegative=False, **FAST).fit(data).predict()
    assert (free["lstm_ets_theta"] < 0).any()


def test_it_forecasts_after_new_data_and_refuses_bad_use() -> None:
    data = _panel()
    model = LstmEtsTheta(6, 12, seed=0, **FAST).fit(data)
    later = pd.concat([_monthly(72, "a"), _monthly(60, "b", 50.0, 0.5)], ignore_index=True)
    out = model.predict(data=later)
    assert out.groupby("unique_id")["ds"].min().to_dict() == {
        "a": pd.Timestamp("2006-01-01"), "b": pd.Timestamp("2005-01-01")}
    with pytest.raises(ConfigError, match="not fitted yet"):
        LstmEtsTheta(6).predict()
    with pytest.raises(ConfigError, match="model= is set by lstm_ets_theta itself"):
        LstmEtsTheta(6, model="gru")


def test_every_protocol_fits_it_once_per_seed(core_air: pd.DataFrame) -> None:
    result = run_protocol(core_air, "lstm_ets_theta,theta", horizon=12, seeds=2,
                          season_length=12, **FAST)
    rows = result.scores[["model", "seed"]].drop_duplicates().to_records(index=False).tolist()
    assert sorted(rows) == [("lstm_ets_theta", 0), ("lstm_ets_theta", 1),
                            ("seasonal_naive", 0), ("theta", 0)]
    assert isinstance(result.fitted["lstm_ets_theta"], LstmEtsTheta)
    wide = result.forecast_frame(seed=1)
    assert wide["lstm_ets_theta"].notna().all() and wide["theta"].notna().all()
    backtest = run_protocol(core_air, "lstm_ets_theta", horizon=12, protocol="backtest",
                            windows=2, season_length=12, **FAST)
    assert set(backtest.scores["window"]) == {1, 2}
    tutorial = run_protocol(core_air.iloc[:60], "lstm_ets_theta", protocol="tutorial",
                            season_length=12, **FAST)
    assert "lstm_ets_theta" in set(tutorial.scores["model"])


def test_conformal_intervals_come_from_the_protocol(core_air: pd.DataFrame) -> None:
    result = run_protocol(core_air, "lstm_ets_theta", horizon=6, season_length=12,
                          levels=[80], conformal=True, **FAST)
    wide = result.forecast_frame()
    lo, hi = wide["lstm_ets_theta-lo-80"], wide["lstm_ets_theta-hi-80"]
    assert (lo <= wide["lstm_ets_theta"]).all() and (wide["lstm_ets_theta"] <= hi).all()


def test_the_command_line_evaluates_it(tmp_path: Path, core_air: pd.DataFrame) -> None:
    path = tmp_path / "air.csv"
    core_air.to_csv(path, index=False)
    out = CliRunner().invoke(app, ["evaluate", str(path), "--horizon", "12", "--models",
                                   "lstm_ets_theta,auto_ets", "--epochs", "3"])
    assert out.exit_code == 0, out.output
    assert "lstm_ets_theta" in out.output and "auto_ets" in out.output


def test_the_verdict_holds_it_against_the_baselines_like_a_network() -> None:
    from rnnforecast.evaluation.summary import verdict

    summary = pd.DataFrame({"model": ["lstm", "lstm_ets_theta", "theta"],
                            "mase": [0.9, 0.8, 0.85]})
    said = verdict(summary)
    assert said.text == ("best: lstm_ets_theta (MASE 0.80); lstm 0.90 does NOT beat theta "
                         "0.85; lstm_ets_theta 0.80 beats theta 0.85")


def test_a_warning_about_the_data_is_printed_once(tmp_path: Path) -> None:
    # the network, the clipping rule and both classical models read the training part:
    # its "much shorter" check fires four times, and the command line says it once
    panel = pd.concat([_monthly(14, "s0"), *(_monthly(60, f"s{i}") for i in range(1, 6))])
    path = tmp_path / "short.csv"
    panel.to_csv(path, index=False)
    out = CliRunner().invoke(app, ["evaluate", str(path), "--horizon", "6", "--models",
                                   "lstm_ets_theta", "--epochs", "3"])
    assert out.exit_code == 0, out.output
    lines = [x for x in out.output.splitlines() if x.startswith("warning:")]
    assert any("much shorter" in x for x in lines)
    assert len(lines) == len(set(lines))


def test_forecasts_on_other_dates_are_an_error_not_a_silent_fallback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = LstmEtsTheta(6, 12, seed=0, **FAST).fit(_panel())
    theta = model.classical_["theta"]
    shifted = theta.predict()
    shifted["ds"] = shifted["ds"] + pd.offsets.MonthBegin(1)
    monkeypatch.setattr(theta, "predict", lambda *a, **k: shifted)
    with pytest.raises(RuntimeError, match="dates do not match"):
        model.predict()


# ------------------------------------------------------------------------- the model file

def test_the_model_file_gives_back_the_same_forecasts_and_history(tmp_path: Path) -> None:
    steps = pd.DataFrame({"unique_id": "k", "ds": np.arange(3, 3 + 2 * 50, 2),
                          "y": 20 + np.cos(np.arange(50.0))})  # integer steps of 2
    for name, data in (("dates", _panel()), ("steps", steps)):
        model = LstmEtsTheta(6, 12, seed=0, **FAST).fit(data)
        path = tmp_path / f"{name}.rnnf"
        model.save(path)
        loaded = LstmEtsTheta.load(path)
        assert isinstance(load_model_file(path), LstmEtsTheta)
        pd.testing.assert_frame_equal(loaded.predict(), model.predict())
        pd.testing.assert_frame_equal(loaded.predict(4, data=data.iloc[:-3]),
                                      model.predict(4, data=data.iloc[:-3]))
        pd.testing.assert_frame_equal(loaded.history(), data.reset_index(drop=True),
                                      check_dtype=False)
        assert loaded.network_.get_params() == model.network_.get_params()


def test_each_loader_refuses_the_other_kind_of_file(tmp_path: Path) -> None:
    combined, single = tmp_path / "combined.rnnf", tmp_path / "single.rnnf"
    LstmEtsTheta(6, 12, **FAST).fit(_panel()).save(combined)
    Forecaster("lstm", horizon=6, **FAST).fit(_panel()).save(single)
    with pytest.raises(ConfigError, match="holds the combination model lstm_ets_theta, not a "
                                          "single network"):
        Forecaster.load(combined)
    with pytest.raises(ConfigError, match="holds a single lstm network, not lstm_ets_theta"):
        LstmEtsTheta.load(single)
    assert isinstance(load_model_file(single), Forecaster)
    with pytest.raises(ConfigError, match="not fitted yet"):
        LstmEtsTheta(6).save(tmp_path / "unfitted.rnnf")
    assert not (tmp_path / "unfitted.rnnf").exists()


def test_a_damaged_combination_section_is_a_model_file_error(tmp_path: Path) -> None:
    model = LstmEtsTheta(6, 12, **FAST).fit(_panel())
    fields, values = model.classical_["theta"].stored_series()
    spec = {"name": "lstm_ets_theta", "weights": dict(LstmEtsTheta.weights), "series": fields}
    cases = {"too few values": (spec, values[:-1]),
             "other weights": (dict(spec, weights={"lstm": 1.0}), values),
             "unknown name": (dict(spec, name="lstm_arima"), values),
             "no series": ({k: v for k, v in spec.items() if k != "series"}, values),
             "not a section": (["lstm_ets_theta"], values)}
    for case, (bad, arrays) in cases.items():
        path = tmp_path / f"{case.replace(' ', '-')}.rnnf"
        save_model(model.network_, path, combination=bad, arrays={"values": arrays})
        with pytest.raises(ModelFileError, match=path.name):
            load_model_file(path)
        with pytest.raises(ConfigError, match="not a single network"):
            Forecaster.load(path)


def test_the_command_line_fits_predicts_plots_and_describes_it(
        tmp_path: Path, core_air: pd.DataFrame) -> None:
    data, model = tmp_path / "air.csv", tmp_path / "air.rnnf"
    core_air.to_csv(data, index=False)
    fast = ["--epochs", "3", "--hidden-size", "8", "--ensemble", "1"]
    runner = CliRunner()
    out = runner.invoke(app, ["fit", str(data), "--model", "lstm_ets_theta", "--horizon", "12",
                              "--save", str(model), *fast])
    assert out.exit_code == 0, out.output
    printed = runner.invoke(app, ["predict", str(model)])
    assert printed.exit_code == 0, printed.output
    forecast = pd.read_csv(io.StringIO(printed.stdout))
    expected = LstmEtsTheta.load(model).predict()
    np.testing.assert_allclose(forecast["lstm_ets_theta"], expected["lstm_ets_theta"])
    described = runner.invoke(app, ["info", str(model), "--format", "json"])
    assert described.exit_code == 0, described.output
    details = json.loads(described.stdout)
    assert details["combination"] == {"model": "lstm_ets_theta", "history_points": 144,
                                      "weights": {"lstm": 0.5, "auto_ets": 0.25, "theta": 0.25}}
    table = runner.invoke(app, ["info", str(model)], env={"COLUMNS": "250"})
    assert "lstm_ets_theta: 0.5 lstm (" in table.stdout
    drawn = runner.invoke(app, ["plot", str(model), "--out", str(tmp_path / "air.png")])
    assert drawn.exit_code == 0 and (tmp_path / "air.png").stat().st_size > 0, drawn.output
    refused = {"--levels": ["--levels", "80"], "--init": ["--init", str(model)]}
    for flag, extra in refused.items():
        out = runner.invoke(app, ["fit", str(data), "--model", "lstm_ets_theta", "--horizon",
                                  "12", "--save", str(tmp_path / "x.rnnf"), *extra])
        assert out.exit_code == 2 and f"{flag} is not available for the combination" in \
            out.output, out.output
    warm = runner.invoke(app, ["fit", str(data), "--init", str(model), "--save",
                               str(tmp_path / "x.rnnf")])
    assert warm.exit_code == 2 and "not a single network (what --init continues)" in \
        warm.output, warm.output
    assert not (tmp_path / "x.rnnf").exists()
