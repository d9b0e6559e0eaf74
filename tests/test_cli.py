"""The command line through its real entry points: results, the JSON contract, errors (one
line, exit code 2, no traceback), output files never created or truncated by a failed run,
and a fast --help that does not import torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from rnnforecast import Forecaster, load_dataset
from rnnforecast.cli import app
from rnnforecast.metrics import mae, mape, mase, rmse, smape

FAST = ["--epochs", "5", "--hidden-size", "4", "--ensemble", "1", "--no-guard"]
FAST_KW = {"epochs": 5, "hidden_size": 4, "ensemble": 1, "guard": False}
METRICS = ("rmse", "mae", "mape", "smape", "mase")
COMMANDS = ("demo", "fit", "predict", "evaluate", "plot", "info")


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args))


def write_air(path: Path, rows: int = 144) -> Path:
    """AirPassengers as the Kaggle-style file (Month,#Passengers)."""
    air = load_dataset("airpassengers").iloc[:rows]
    text = "Month,#Passengers\n" + "".join(
        f"{d:%Y-%m},{int(v)}\n" for d, v in zip(air["ds"], air["y"], strict=True))
    path.write_text(text)
    return path


@pytest.fixture
def air_csv(tmp_path: Path) -> Path:
    return write_air(tmp_path / "air.csv")


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model fitted through the CLI on the first 120 months (horizon 12)."""
    folder = tmp_path_factory.mktemp("cli_model")
    data = write_air(folder / "train.csv", rows=120)
    result = invoke(CliRunner(), "fit", str(data), "--horizon", "12", *FAST,
                    "--save", str(folder / "air.rnnf"))
    assert result.exit_code == 0, result.output
    return folder / "air.rnnf"


def read_csv_text(text: str) -> pd.DataFrame:
    return pd.read_csv(StringIO(text), parse_dates=["ds"])


def assert_one_error_line(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return lines[0]


# --------------------------------------------------------------------------- demo


def test_demo_writes_the_four_files_and_says_where(
        cli_runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = invoke(cli_runner, "demo", "--out", str(out))
    assert result.exit_code == 0, result.output
    for name in ("forecast.png", "training.png", "forecast.csv", "metrics.json"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "forecast.png").read_bytes().startswith(b"\x89PNG")
    forecast = pd.read_csv(out / "forecast.csv", parse_dates=["ds"])
    assert list(forecast.columns) == ["unique_id", "ds", "y", "lstm", "naive", "seasonal_naive",
                                      "seasonal_drift"]
    assert len(forecast) == 24 and forecast["ds"].iloc[0] == pd.Timestamp("1959-01-01")
    metrics = json.loads((out / "metrics.json").read_text())
    by_model = {r["model"]: r for r in metrics["results"]}
    assert set(by_model) == {"lstm", "naive", "seasonal_naive", "seasonal_drift"}
    assert round(by_model["seasonal_naive"]["mase"], 2) == 2.49
    assert metrics["train"]["points"] == 120 and metrics["test"]["end"] == "1960-12-01"
    assert "lstm" in result.stdout and "seasonal_naive" in result.stdout
    assert str(out / "forecast.png") in result.stdout
    assert "rnnforecast evaluate" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["forecast.png", "training.png", "forecast.csv", "metrics.json"])  # no temporaries


def test_a_demo_that_fails_while_writing_leaves_no_file(
        cli_runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rnnforecast.plotting.figures as figures

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(figures, "training_figure", broken)  # after forecast.png is drawn
    out = tmp_path / "demo"
    line = assert_one_error_line(invoke(cli_runner, "demo", "--out", str(out)), code=1)
    assert "disk on fire" in line
    assert not out.exists() or list(out.iterdir()) == []


# ---------------------------------------------------------------------- fit/predict


def test_fit_then_predict_writes_the_forecast_csv(
        cli_runner: CliRunner, cli_model: Path, air_csv: Path, tmp_path: Path) -> None:
    result = invoke(cli_runner, "predict", str(cli_model))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # not a terminal: nothing but the result
    forecast = read_csv_text(result.stdout)
    assert list(forecast.columns) == ["unique_id", "ds", "lstm"]
    assert len(forecast) == 12 and forecast["ds"].iloc[0] == pd.Timestamp("1959-01-01")
    expected = Forecaster.load(cli_model).predict()
    np.testing.assert_allclose(forecast["lstm"], expected["lstm"], rtol=1e-12)

    out = tmp_path / "fc.csv"
    result = invoke(cli_runner, "predict", str(cli_model), "--data", str(air_csv),
                    "--horizon", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    from_data = pd.read_csv(out, parse_dates=["ds"])
    assert from_data["ds"].tolist() == list(pd.date_range("1961-01-01", periods=3, freq="MS"))


def test_config_file_gives_defaults_and_flags_override_it(
        cli_runner: CliRunner, air_csv: Path, tmp_path: Path) -> None:
    config = tmp_path / "fit.toml"
    config.write_text('horizon = 6\nepochs = 3\nhidden_size = 4\nensemble = 1\n'
                      'model = "gru"\nclip = "none"\n')
    model = tmp_path / "m.rnnf"
    result = invoke(cli_runner, "fit", str(air_csv), "--config", str(config), "--epochs", "4",
                    "--save", str(model))
    assert result.exit_code == 0, result.output
    info = json.loads(invoke(cli_runner, "info", str(model), "--format", "json").stdout)
    params = info["params"]
    assert (params["epochs"], params["hidden_size"], params["horizon"]) == (4, 4, 6)
    assert params["model"] == "gru" and params["clip"] is None
    assert info["epochs_run"] == 4 and info["data_ends"] == "1960-12-01"


def test_messages_go_to_stderr_only_when_asked(
        cli_runner: CliRunner, air_csv: Path, tmp_path: Path) -> None:
    args = ["fit", str(air_csv), "--horizon", "3", *FAST, "--save", str(tmp_path / "m.rnnf")]
    assert invoke(cli_runner, *args).stderr == ""
    verbose = invoke(cli_runner, "--verbose", *args)
    assert "saved lstm model of 1 series" in verbose.stderr and verbose.stdout == ""
    assert invoke(cli_runner, "--quiet", "--verbose", *args).stderr == ""


# ------------------------------------------------------------------------- evaluate


def test_evaluate_json_contract_matches_recomputed_metrics(
        cli_runner: CliRunner, air_csv: Path, tmp_path: Path) -> None:
    per_series = tmp_path / "scores.csv"
    result = invoke(cli_runner, "evaluate", str(air_csv), "--horizon", "12", "--models",
                    "lstm,naive", "--seeds", "2", *FAST, "--format", "json",
                    "--scores", str(per_series))
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)  # stdout is one JSON array and nothing else
    assert [r["model"] for r in records] == ["lstm", "naive", "seasonal_naive"]
    for r in records:
        assert {"model", "seeds", "series", "fit_seconds"} <= set(r)
        for metric in METRICS:
            assert {metric, f"{metric}_sd", f"{metric}_max"} <= set(r)
        assert r["series"] == 1
    by_model = {r["model"]: r for r in records}
    assert by_model["lstm"]["seeds"] == 2 and by_model["naive"]["seeds"] == 1

    y = load_dataset("airpassengers")["y"].to_numpy()
    train, test = y[:-12], y[-12:]
    frame = load_dataset("airpassengers").iloc[:-12]

    def scores(pred: np.ndarray) -> dict[str, float]:
        return {"rmse": rmse(test, pred), "mae": mae(test, pred), "mape": mape(test, pred),
                "smape": smape(test, pred), "mase": mase(test, pred, train, 12)}

    expected = {"naive": [scores(np.full(12, train[-1]))],
                "seasonal_naive": [scores(train[-12:])],
                "lstm": [scores(Forecaster(horizon=12, seed=s, **FAST_KW).fit(frame).predict()
                                ["lstm"].to_numpy()) for s in (0, 1)]}
    for model, runs in expected.items():
        for metric in METRICS:
            values = np.array([run[metric] for run in runs])
            sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
            assert by_model[model][metric] == pytest.approx(values.mean(), rel=1e-9)
            assert by_model[model][f"{metric}_sd"] == pytest.approx(sd, rel=1e-9, abs=1e-12)
            assert by_model[model][f"{metric}_max"] == pytest.approx(values.max(), rel=1e-9)
    rows = pd.read_csv(per_series)
    assert len(rows) == 4  # lstm x 2 seeds + 2 baselines, one series
    for model, g in rows.groupby("model"):
        for metric in METRICS:
            assert by_model[str(model)][metric] == pytest.approx(g[metric].mean(), rel=1e-12)
    fit_lstm = rows.loc[rows["model"] == "lstm", "fit_seconds"].mean()
    assert by_model["lstm"]["fit_seconds"] == pytest.approx(fit_lstm)
    assert by_model["seasonal_naive"]["beats_seasonal_naive"] is False


def test_evaluate_table_is_sorted_by_mase_and_names_the_best_model(
        cli_runner: CliRunner, air_csv: Path) -> None:
    result = invoke(cli_runner, "evaluate", str(air_csv), "--horizon", "24", "--models",
                    "naive")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert [r.split("│")[1].strip() for r in rows] == ["seasonal_naive", "naive"]
    assert "best: seasonal_naive (MASE 2.49); no network in the comparison" in result.stdout
    csv_out = invoke(cli_runner, "evaluate", str(air_csv), "--horizon", "24", "--models",
                     "naive", "--format", "csv")
    summary = pd.read_csv(StringIO(csv_out.stdout))
    assert summary["model"].tolist() == ["naive", "seasonal_naive"]
    assert round(float(summary.loc[1, "mase"]), 2) == 2.49


def test_evaluate_with_a_test_file_scores_that_hold_out(
        cli_runner: CliRunner, tmp_path: Path) -> None:
    train = write_air(tmp_path / "train.csv", rows=132)
    full = load_dataset("airpassengers")
    test = tmp_path / "test.csv"
    full.iloc[132:].to_csv(test, index=False)  # long format, another id: one series, fine
    given = invoke(cli_runner, "evaluate", str(train), "--test", str(test), "--horizon", "12",
                   "--models", "naive", "--format", "json")
    assert given.exit_code == 0, given.output
    tail = invoke(cli_runner, "evaluate", str(write_air(tmp_path / "all.csv")), "--horizon",
                  "12", "--models", "naive", "--format", "json")
    def scores(text: str) -> list[dict[str, object]]:
        return [{k: v for k, v in r.items() if k != "fit_seconds"} for r in json.loads(text)]

    assert scores(given.stdout) == scores(tail.stdout)


def test_tutorial_protocol_reports_persistence_48_7(
        cli_runner: CliRunner, air_csv: Path) -> None:
    result = invoke(cli_runner, "evaluate", str(air_csv), "--protocol", "tutorial",
                    "--lookback", "1", "--models", "naive", "--format", "json")
    assert result.exit_code == 0, result.output
    by_model = {r["model"]: r for r in json.loads(result.stdout)}
    assert round(by_model["persistence"]["rmse"], 1) == 48.7
    assert round(by_model["persistence"]["scaled_rmse"], 4) == 0.0939
    table = invoke(cli_runner, "evaluate", str(air_csv), "--protocol", "tutorial",
                   "--models", "naive")
    assert "persistence" in table.stdout and "46 one-step-ahead" in table.stdout


# -------------------------------------------------------------------------- plot/info


def test_plot_a_model_and_a_forecast_csv(
        cli_runner: CliRunner, cli_model: Path, air_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.png"
    result = invoke(cli_runner, "plot", str(cli_model), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    forecast = tmp_path / "fc.csv"
    invoke(cli_runner, "predict", str(cli_model), "--out", str(forecast))
    over = tmp_path / "over.png"
    result = invoke(cli_runner, "plot", str(forecast), "--data", str(air_csv), "--out",
                    str(over))
    assert result.exit_code == 0, result.output
    assert over.read_bytes().startswith(b"\x89PNG")


def test_info_describes_the_model_file(cli_runner: CliRunner, cli_model: Path) -> None:
    table = invoke(cli_runner, "info", str(cli_model))
    assert table.exit_code == 0, table.output
    for text in ("lstm", "1958-12-01", "hidden_size", "#Passengers", "MS"):
        assert text in table.stdout, text
    info = json.loads(invoke(cli_runner, "info", str(cli_model), "--format", "json").stdout)
    assert info["model"] == "lstm" and info["series"] == 1 and info["epochs_run"] == 5
    assert info["params"]["horizon"] == 12 and info["data_ends"] == "1958-12-01"


# ----------------------------------------------------------------------------- errors


def _write(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path
    return make


def _corrupt_model(folder: Path) -> Path:
    path = folder / "corrupt.rnnf"
    shutil.copy(CORRUPT_SOURCE[0], path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])  # truncated: checksum mismatch
    return path


CORRUPT_SOURCE: list[Path] = []
GOOD = "Month,v\n" + "".join(f"2000-{m:02d},{m}\n" for m in range(1, 13))
BAD_INPUT = [
    ("empty file", _write("e.csv", b""), ["fit", "{f}", "--horizon", "3", "--save", "{o}"],
     "empty"),
    ("header only", _write("h.csv", b"Month,v\n"), ["fit", "{f}", "--horizon", "3",
                                                     "--save", "{o}"], "no data rows"),
    ("binary file", _write("b.csv", b"\x7fELF\x00\x01\x02" * 20),
     ["fit", "{f}", "--horizon", "3", "--save", "{o}"], "binary"),
    ("non-numeric value", _write("n.csv", b"Month,v\n2000-01,1\n2000-02,abc\n2000-03,3\n"),
     ["fit", "{f}", "--horizon", "1", "--save", "{o}"], "non-numeric value 'abc'"),
    ("duplicated dates", _write("d.csv", b"Month,v\n2000-01,1\n2000-01,2\n2000-02,3\n"),
     ["fit", "{f}", "--horizon", "1", "--save", "{o}"], "duplicated timestamp"),
    ("NaN without --fill", _write("m.csv", GOOD.replace("2000-05,5", "2000-05,").encode()),
     ["fit", "{f}", "--horizon", "1", "--save", "{o}"], "--fill"),
    ("missing file", lambda folder: folder / "nowhere.csv",
     ["fit", "{f}", "--horizon", "1", "--save", "{o}"], "not found"),
    ("horizon 0", _write("g.csv", GOOD.encode()),
     ["fit", "{f}", "--horizon", "0", "--save", "{o}"], "--horizon 0"),
    ("unknown model", _write("g.csv", GOOD.encode()),
     ["fit", "{f}", "--horizon", "1", "--model", "tcn", "--save", "{o}"], "tcn"),
    ("series too short", _write("g.csv", GOOD.encode()),
     ["fit", "{f}", "--horizon", "11", "--save", "{o}"], "at least 13"),
    ("corrupt model file", _corrupt_model, ["predict", "{f}", "--out", "{o}"], "corrupt"),
    ("not a model file", _write("x.rnnf", b"hello"), ["predict", "{f}", "--out", "{o}"],
     "not an rnnforecast model file"),
    ("missing model file", lambda folder: folder / "none.rnnf", ["info", "{f}"], "not found"),
    ("predict horizon 0", lambda folder: CORRUPT_SOURCE[0],
     ["predict", "{f}", "--horizon", "0", "--out", "{o}"], "horizon"),
    ("unknown model in --models", _write("g.csv", GOOD.encode()),
     ["evaluate", "{f}", "--horizon", "2", "--models", "lstm,prophet", "--scores", "{o}"],
     "unknown model 'prophet'"),
    ("backtest windows do not fit", _write("g.csv", GOOD.encode()),
     ["evaluate", "{f}", "--horizon", "2", "--protocol", "backtest", "--windows", "6",
      "--scores", "{o}"], "holding out the last"),
    ("backtest windows 0", _write("g.csv", GOOD.encode()),
     ["evaluate", "{f}", "--horizon", "2", "--protocol", "backtest", "--windows", "0"],
     "--windows 0"),
    ("unknown format", _write("g.csv", GOOD.encode()),
     ["evaluate", "{f}", "--horizon", "2", "--format", "xml"], "--format 'xml'"),
    ("evaluate without horizon", _write("g.csv", GOOD.encode()), ["evaluate", "{f}"],
     "--horizon is required"),
    ("test not continuing", _write("g.csv", GOOD.encode()),
     ["evaluate", "{f}", "--horizon", "12", "--models", "naive", "--test", "{f}"],
     "must continue it exactly"),
    ("unknown config key", _write("c.toml", b"epoch = 3\n"),
     ["fit", "{f}", "--horizon", "1", "--config", "{f}", "--save", "{o}"],
     "unknown key 'epoch'; did you mean 'epochs'"),
    ("bad clip", _write("g.csv", GOOD.encode()),
     ["fit", "{f}", "--horizon", "1", "--clip", "big", "--save", "{o}"], "--clip"),
    ("forecast csv without --data", _write("g.csv", GOOD.encode()),
     ["plot", "{f}", "--out", "{o}.png"], "give --data"),
    ("figure extension", _write("g.csv", GOOD.encode()),
     ["plot", "{f}", "--data", "{f}", "--out", "{o}.jpg"], ".jpg"),
]


@pytest.mark.parametrize(("make", "args", "message"),
                         [case[1:] for case in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_one_error_line_and_exit_code_2(
        cli_runner: CliRunner, cli_model: Path, tmp_path: Path,
        make: Callable[[Path], Path], args: list[str], message: str) -> None:
    CORRUPT_SOURCE[:] = [cli_model]
    path = make(tmp_path)
    out = tmp_path / "out.file"
    out.write_text("precious")
    argv = [a.replace("{f}", str(path)).replace("{o}", str(out)) for a in args]
    line = assert_one_error_line(invoke(cli_runner, *argv))
    assert message in line
    assert out.read_text() == "precious"  # a failed run never truncates an output
    leftovers = {p.name for p in tmp_path.iterdir()} - {path.name, out.name}
    assert not leftovers, leftovers  # nor creates one


def test_usage_errors_exit_2(cli_runner: CliRunner, air_csv: Path) -> None:
    assert invoke(cli_runner, "fit").exit_code == 2
    assert invoke(cli_runner, "fit", str(air_csv), "--horizon", "x").exit_code == 2
    assert invoke(cli_runner, "fit", str(air_csv), "--no-such-flag").exit_code == 2


def test_a_failed_run_creates_no_output_file(
        cli_runner: CliRunner, cli_model: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Month,v\n2000-01,1\n")
    for argv in (["predict", str(cli_model), "--data", str(bad), "--out",
                  str(tmp_path / "a.csv")],
                 ["plot", str(cli_model), "--data", str(bad), "--out", str(tmp_path / "a.png")],
                 ["fit", str(bad), "--horizon", "2", "--save", str(tmp_path / "a.rnnf")],
                 ["evaluate", str(bad), "--horizon", "2", "--scores", str(tmp_path / "s.csv")],
                 ["demo", "--out", str(bad)]):
        assert_one_error_line(invoke(cli_runner, *argv))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
    assert bad.read_text() == "Month,v\n2000-01,1\n"


def test_unexpected_errors_exit_1_with_traceback_only_under_debug(
        cli_runner: CliRunner, cli_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rnnforecast.cli.info as commands

    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(commands, "run_info", boom)
    line = assert_one_error_line(invoke(cli_runner, "info", str(cli_model)), code=1)
    assert "unexpected RuntimeError: boom" in line and "--debug" in line
    debug = invoke(cli_runner, "--debug", "info", str(cli_model))
    assert debug.exit_code == 1 and "Traceback" in debug.stderr


def test_ctrl_c_exits_130_without_traceback(
        cli_runner: CliRunner, cli_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rnnforecast.cli.info as commands

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "run_info", interrupted)
    result = invoke(cli_runner, "info", str(cli_model))
    assert result.exit_code == 130
    assert "Traceback" not in result.output


# ------------------------------------------------------------------- help and version


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(cli_runner: CliRunner, command: str) -> None:
    result = invoke(cli_runner, command, "--help")
    assert result.exit_code == 0
    assert f"Example: rnnforecast {command}" in result.stdout


def test_version(cli_runner: CliRunner) -> None:
    from rnnforecast import __version__

    result = invoke(cli_runner, "--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"rnnforecast {__version__}"


# ------------------------------------------------------------- real processes (subprocess)


def _entry_point() -> list[str]:
    script = Path(sys.executable).with_name("rnnforecast")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rnnforecast"]


def test_help_does_not_import_torch_or_pandas() -> None:
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "rnnforecast", "--help"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "Usage" in run.stdout
    imported = {line.split("|")[-1].strip().split(".")[0]
                for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "typer" in imported
    assert not imported & {"torch", "pandas", "matplotlib"}


def test_real_entry_point_pipes_results_and_errors(cli_model: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    ok = subprocess.run([*_entry_point(), "predict", str(cli_model), "--horizon", "2"],
                        capture_output=True, text=True, check=False, env=env)
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr == ""
    assert ok.stdout.splitlines()[0] == "unique_id,ds,lstm" and len(ok.stdout.splitlines()) == 3
    bad = subprocess.run([*_entry_point(), "fit", str(tmp_path / "missing.csv"), "--horizon",
                          "3", "--save", str(tmp_path / "m.rnnf")],
                         capture_output=True, text=True, check=False, env=env)
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [f"error: {tmp_path / 'missing.csv'}: file not found"]
    assert bad.stdout == "" and not (tmp_path / "m.rnnf").exists()
