"""The rules behind the command line live in the library, where Python users reach them too:
the model description of ``info``, the stored history and the forecast-CSV reader of
``plot``, and the score table shared by ``evaluate`` and the HTML report."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from rnnforecast import Forecaster
from rnnforecast.cli import app
from rnnforecast.data.forecast_csv import forecast_columns, read_forecast_csv, split_at_forecast
from rnnforecast.data.history import stored_history
from rnnforecast.errors import DataError
from rnnforecast.evaluation.actuals import actual_scores
from rnnforecast.evaluation.describe import describe_model
from rnnforecast.evaluation.summary import score_columns

DATA = Path(__file__).parent / "data"
MODEL = DATA / "model-v1.rnnf"


def test_describe_model_is_what_info_prints() -> None:
    details = describe_model(Forecaster.load(MODEL), MODEL)
    result = CliRunner().invoke(app, ["info", str(MODEL), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(json.dumps(details, default=str)) == json.loads(result.stdout)
    assert details["chosen_for_the_data"] == ["lookback", "season_length"]
    assert details["settings"]["lookback"] == 24


def test_stored_history_ends_where_the_model_does() -> None:
    model = Forecaster.load(MODEL)
    history = stored_history(model.series_.values(), model.freq_)
    details = describe_model(model, MODEL)
    assert len(history) == details["stored_history_points"]
    assert str(history["ds"].iloc[-1].date()) == details["data_ends"]
    assert list(history.columns) == ["unique_id", "ds", "y"]


def test_a_forecast_csv_reads_back_over_its_history(tmp_path: Path) -> None:
    model = Forecaster.load(MODEL)
    history = stored_history(model.series_.values(), model.freq_)
    forecast = read_forecast_csv(DATA / "model-v1-forecast.csv", history)
    assert forecast_columns(forecast) == (["lstm"], {"lstm": []})
    assert forecast["ds"].dtype == history["ds"].dtype
    past, actuals = split_at_forecast(history, forecast)
    assert len(past) == len(history) and len(actuals) == 0
    assert actual_scores(past, actuals, forecast) == {}
    # actuals that cover the forecast are scored
    covered = pd.concat([history, forecast.rename(columns={"lstm": "y"})], ignore_index=True)
    past, actuals = split_at_forecast(covered, forecast)
    assert actual_scores(past, actuals, forecast) == {"lstm": 0.0}
    other = tmp_path / "other.csv"
    other.write_text("unique_id,ds,lstm\nX,1961-01-01,1.0\n")
    with pytest.raises(DataError, match="series 'X' is not in the --data"):
        read_forecast_csv(other, history)


def test_the_report_and_the_command_line_share_one_score_table() -> None:
    summary = pd.DataFrame({"model": ["naive", "lstm"], "seeds": [1, 3], "series": [1, 1],
                            "mase": [1.5, 0.5], "mase_sd": [0.0, 0.01], "smape": [9.0, 3.0],
                            "smape_sd": [0.0, 0.2], "rmse": [20.0, 1234.5], "rmse_sd": [0.0, 1.0],
                            "mae": [10.0, math.nan], "mae_sd": [0.0, 0.0], "mape": [5.0, 2.0],
                            "mape_sd": [0.0, 0.0], "fit_seconds": [0.0, 1.234]})
    columns = score_columns(summary)
    assert [c.header for c in columns] == ["model", "seeds", "MASE", "sMAPE", "RMSE", "MAE",
                                           "MAPE %", "fit CPU s"]
    by_header = {c.header: c.cells for c in columns}
    assert by_header["model"] == ["lstm", "naive"]  # best MASE first
    assert by_header["MASE"] == ["0.5 ± 0.01", "1.5"]
    assert by_header["RMSE"][0] == "1,234 ± 1" and by_header["MAE"][0] == "- ± 0"
    from rnnforecast.explain.report import _comparison_section

    html = _comparison_section(summary, {"seeds": 3, "verdict": {"text": "best: lstm"}})
    assert "<th>seeds</th>" not in html and "<td>0.5 ± 0.01</td>" in html
