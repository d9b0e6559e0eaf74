"""Evaluation protocols with covariates: the networks forecast the hold-out with its
future-known columns, the baselines ignore covariates (identical scores), a --test file must
carry the future columns, and what cannot take covariates says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from rnnforecast.cli import app
from rnnforecast.errors import ConfigError, DataError
from rnnforecast.evaluation import run_protocol
from test_covariates import H, promo_panel, split

FAST: dict[str, Any] = {"epochs": 40, "hidden_size": 8, "ensemble": 1, "quiet": True}
BASELINES = ["naive", "seasonal_naive", "drift"]


def by_model(scores: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(m): g.drop(columns="fit_seconds").reset_index(drop=True)
            for m, g in scores.groupby("model", sort=False)}


def test_holdout_with_a_future_column_beats_the_same_model_without() -> None:
    data = promo_panel()
    plain = run_protocol(data, ["seq2seq", *BASELINES], horizon=H, **FAST)
    promo = run_protocol(data, ["seq2seq", *BASELINES], horizon=H, future_cols=["promo"],
                         **FAST)
    assert "promo" in promo.train.columns  # the covariate is kept in the training part
    before = plain.summary().set_index("model")
    after = promo.summary().set_index("model")
    # the promotion moves y by half its level: knowing it over the horizon helps a lot
    assert after.loc["seq2seq", "mase"] < 0.5 * before.loc["seq2seq", "mase"]
    assert after.loc["seq2seq", "smape"] < 0.5 * before.loc["seq2seq", "smape"]
    old, new = by_model(plain.scores), by_model(promo.scores)
    for name in BASELINES:  # same train part, covariates ignored: exactly the same scores
        pd.testing.assert_frame_equal(old[name], new[name])


def test_holdout_with_a_test_frame_and_past_columns() -> None:
    train, test = split(promo_panel())
    result = run_protocol(train, ["lstm", "naive"], horizon=H, test=test,
                          future_cols=["promo"], past_cols=["price"], **FAST)
    assert set(result.scores["model"]) == {"lstm", "naive", "seasonal_naive"}
    assert result.scores["mase"].notna().all()
    with pytest.raises(DataError, match=r"future column\(s\) promo .*add column\(s\) promo"):
        run_protocol(train, ["lstm"], horizon=H, test=test.drop(columns="promo"),
                     future_cols=["promo"], **FAST)
    # only the networks need future values: baselines alone score without them
    run_protocol(train, ["naive"], horizon=H, test=test.drop(columns="promo"),
                 future_cols=["promo"])


def test_calendar_only_needs_no_extra_column() -> None:
    data = promo_panel()[["unique_id", "ds", "y"]]
    result = run_protocol(data, ["lstm"], horizon=H, future_cols=["calendar"],
                          **{**FAST, "epochs": 5})
    assert list(result.train.columns) == ["unique_id", "ds", "y"]
    assert result.scores["mase"].notna().all()
    train, test = split(data)
    run_protocol(train, ["lstm"], horizon=H, test=test, future_cols=["calendar"],
                 **{**FAST, "epochs": 5})


def test_backtest_takes_each_windows_future_from_the_data() -> None:
    data = promo_panel()
    for refit in (True, False):
        result = run_protocol(data, ["seq2seq", "naive"], horizon=H, protocol="backtest",
                              windows=2, refit=refit, future_cols=["promo"], **FAST)
        summary = result.summary().set_index("model")
        assert summary.loc["seq2seq", "mase"] < summary.loc["naive", "mase"]


def test_conformal_intervals_with_a_future_column() -> None:
    result = run_protocol(promo_panel(), ["lstm", "naive"], horizon=H, future_cols=["promo"],
                          levels=[80], conformal=True, **{**FAST, "epochs": 5})
    assert result.scores["coverage_80"].notna().all()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"protocol": "tutorial"}, "use the holdout or backtest protocol"),
    ({"backend": "dask"}, "use backend='local'"),
])
def test_what_cannot_take_covariates_says_so(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        run_protocol(promo_panel(), ["lstm"], horizon=H, future_cols=["promo"], **kwargs)


def test_cli_evaluate_with_covariates(tmp_path: Path) -> None:
    train, test = split(promo_panel())
    data, held = tmp_path / "train.csv", tmp_path / "test.csv"
    train.to_csv(data, index=False)
    test.to_csv(held, index=False)
    runner = CliRunner()
    args = ["evaluate", str(data), "--horizon", str(H), "--models", "seq2seq,lstm,naive",
            "--future-cols", "promo,calendar", "--past-cols", "price", "--epochs", "5",
            "--hidden-size", "4", "--ensemble", "1", "--format", "json"]
    result = runner.invoke(app, [*args, "--test", str(held)])
    assert result.exit_code == 0, result.stderr
    models = [r["model"] for r in json.loads(result.stdout)]
    assert models == ["seq2seq", "lstm", "naive", "seasonal_naive"]
    test.drop(columns="promo").to_csv(held, index=False)
    bad = runner.invoke(app, [*args, "--test", str(held)])
    assert bad.exit_code == 2
    lines = bad.stderr.splitlines()
    assert len(lines) == 1 and "promo" in lines[0] and "add column(s) promo" in lines[0], \
        bad.stderr


def test_a_column_name_string_is_refused_before_reading() -> None:
    with pytest.raises(ConfigError, match="future_cols='promo' is invalid"):
        run_protocol(promo_panel(), ["naive"], horizon=H, future_cols="promo")
