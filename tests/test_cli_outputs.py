"""Issue 16's output side: an output never overwrites an input, progress when stderr is not a
terminal, `info`'s resolved settings, --levels as fractions, score tables that fit 80 columns
and say who won, help texts that list every model, and errors in the command line's words."""

from __future__ import annotations

import json
import math
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from rnnforecast import Forecaster, load_dataset
from rnnforecast.cli import app
from rnnforecast.cli.language import cli_language
from rnnforecast.evaluation.summary import verdict

FAST = ["--epochs", "3", "--hidden-size", "4", "--ensemble", "1", "--no-guard"]


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def write_air(path: Path, rows: int = 144) -> Path:
    air = load_dataset("airpassengers").iloc[:rows]
    path.write_text("Month,#Passengers\n" + "".join(
        f"{d:%Y-%m},{int(v)}\n" for d, v in zip(air["ds"], air["y"], strict=True)))
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with air.csv and a small model fitted on its first 120 months."""
    where = tmp_path_factory.mktemp("outputs")
    write_air(where / "air.csv")
    write_air(where / "train.csv", rows=120)
    result = invoke("fit", str(where / "train.csv"), "--horizon", "12", *FAST, "--save",
                    str(where / "air.rnnf"))
    assert result.exit_code == 0, result.output
    return where


def one_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# ------------------------------------------------------- outputs never overwrite inputs


def test_predict_refuses_to_write_onto_its_data_however_spelled(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = folder / "air.csv"
    before = data.read_bytes()
    link = folder / "link.csv"
    if not link.exists():
        link.symlink_to(data)
    monkeypatch.chdir(folder)
    model = str(folder / "air.rnnf")
    for out in ("air.csv", "./air.csv", str(data), f"{folder}/../{folder.name}/air.csv",
                "link.csv"):
        line = one_error(invoke("predict", model, "--data", "air.csv", "--out", out))
        assert line == (f"error: --out {out} is the --data file air.csv: writing there would "
                        "overwrite it; give --out another file name")
    assert data.read_bytes() == before
    line = one_error(invoke("predict", model, "--out", model))
    assert line == (f"error: --out {model} is the model file {model}: writing there would "
                    "overwrite it; give --out another file name")


def test_fit_evaluate_and_report_refuse_to_write_onto_an_input(folder: Path) -> None:
    data = str(folder / "air.csv")
    before = Path(data).read_bytes()
    assert one_error(invoke("fit", data, "--horizon", "3", *FAST, "--save", data)) == (
        f"error: --save {data} is the data file {data}: writing there would overwrite it; "
        "give --save another file name")
    line = one_error(invoke("evaluate", data, "--horizon", "12", "--models", "naive",
                            "--scores", data))
    assert line.startswith(f"error: --scores {data} is the data file {data}")
    assert one_error(invoke("report", data, "--out", data)).startswith(
        f"error: --out {data} is the data file {data}")
    assert Path(data).read_bytes() == before


# ---------------------------------------------------------------------------- progress


def test_progress_lines_when_stderr_is_not_a_terminal() -> None:
    from rnnforecast.training.progress import EpochPrinter

    stream = StringIO()
    printer = EpochPrinter(3, interval=0.0, stream=stream)
    for epoch in range(3):
        printer(epoch, {"train_loss": 0.5 / (epoch + 1)})
    printer.close()
    assert stream.getvalue().splitlines()[0] == "training: epoch 1/3, loss 0.5000, val -, 0 s"
    assert stream.getvalue().splitlines()[-1].startswith("training: epoch 3/3, loss 0.1667")
    quiet = StringIO()
    slow = EpochPrinter(3, interval=3600.0, stream=quiet)  # a short fit prints nothing
    for epoch in range(3):
        slow(epoch, {"train_loss": 1.0})
    slow.close()
    assert quiet.getvalue() == ""


def test_a_piped_fit_reports_progress_unless_quiet(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rnnforecast.training.progress as progress

    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    args = ["fit", str(folder / "train.csv"), "--horizon", "3", *FAST, "--save",
            str(folder / "p.rnnf")]
    lines = invoke(*args).stderr.splitlines()
    assert [line.split(",")[0] for line in lines] == [f"training: epoch {e}/3" for e in (1, 2, 3)]
    assert invoke("--quiet", *args).stderr == ""


# -------------------------------------------------------------------- info and levels


def test_info_shows_the_settings_the_fit_used(folder: Path) -> None:
    model = folder / "air.rnnf"
    fitted = Forecaster.load(model)
    table = invoke("info", str(model))
    assert table.exit_code == 0, table.output
    lines = {line.split("│")[1].strip(): line.split("│")[2].strip()
             for line in table.stdout.splitlines() if line.count("│") == 3}
    assert lines["lr"] == f"{fitted.settings_['lr']} (chosen for the data)" == \
        "0.015 (chosen for the data)"
    assert lines["lookback"] == f"{fitted.lookback_} (chosen for the data)"
    assert lines["season_length"] == "12 (chosen for the data)"
    assert lines["hidden_size"] == "4" and lines["loss"] == "mse (chosen for the data)"
    assert "None" not in table.stdout
    details = json.loads(invoke("info", str(model), "--format", "json").stdout)
    assert details["settings"]["lr"] == 0.015 and details["params"]["lr"] is None
    assert details["settings"]["lookback"] == fitted.lookback_
    assert set(details["chosen_for_the_data"]) == {"lookback", "season_length", "lr", "loss"}


def test_levels_as_fractions_are_read_as_percent_with_a_notice(folder: Path) -> None:
    out = folder / "levels.rnnf"
    result = invoke("fit", str(folder / "train.csv"), "--horizon", "3", *FAST, "--levels",
                    "0.8", "--save", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "note: --levels 0.8 read as 80% (levels are percentages; give 80 to say so)"]
    assert Forecaster.load(out).levels == [80.0]
    assert invoke("--quiet", "fit", str(folder / "train.csv"), "--horizon", "3", *FAST,
                  "--levels", "0.8,0.95", "--save", str(out)).stderr == ""
    assert Forecaster.load(out).levels == [80.0, 95.0]
    assert one_error(invoke("fit", str(folder / "train.csv"), "--horizon", "3", "--levels",
                            "0.8,95", "--save", str(out))) == (
        "error: --levels 0.8,95 mixes fractions and percentages: give every level in "
        "percent, e.g. 80,95")
    plain = invoke("fit", str(folder / "train.csv"), "--horizon", "3", *FAST, "--levels",
                   "80", "--save", str(out))
    assert plain.exit_code == 0 and plain.stderr == ""


# ------------------------------------------------------------------------------ tables


def summary_frame(scores: dict[str, float], seeds: int = 1) -> pd.DataFrame:
    rows = []
    for model, mase in scores.items():
        row: dict[str, object] = {"model": model, "seeds": seeds, "series": 1,
                                  "fit_seconds": 0.25}
        for metric, scale in (("rmse", 123.456), ("mae", 98.7654), ("mape", 12.3456),
                              ("smape", 11.1111), ("mase", 1.0), ("coverage_80", 0.8123),
                              ("msis_80", 4.5678)):
            row[metric] = mase * scale if metric != "coverage_80" else scale
            row[f"{metric}_sd"] = 0.012345 if seeds > 1 else 0.0
            row[f"{metric}_max"] = row[metric]
        rows.append(row)
    return pd.DataFrame(rows)


def test_verdict_names_the_best_model_and_judges_every_baseline() -> None:
    said = verdict(summary_frame({"lstm": 0.42, "seasonal_naive": 0.9, "auto_ets": 0.26}))
    assert said.best == "auto_ets"
    assert said.text == ("best: auto_ets (MASE 0.26); lstm 0.42 does NOT beat auto_ets 0.26, "
                         "beats seasonal_naive 0.90")
    assert [c["beats"] for c in said.comparisons] == [False, True]
    close = verdict(summary_frame({"lstm": 0.4213, "theta": 0.4208, "gru": 0.4213}))
    assert close.text == ("best: theta (MASE 0.4208); lstm 0.4213 does NOT beat theta 0.4208; "
                          "gru 0.4213 does NOT beat theta 0.4208")
    tie = verdict(summary_frame({"lstm": 0.5, "naive": 0.5}))
    assert tie.text.endswith("lstm 0.50 ties with naive 0.50")
    missing = verdict(summary_frame({"lstm": math.nan, "naive": 2.0}))
    assert missing.text == "best: naive (MASE 2.00); lstm has no finite MASE"


def render_80(summary: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> str:
    import rnnforecast.cli.tables as tables

    out = StringIO()
    monkeypatch.setattr(tables, "stdout_console",
                        lambda: Console(file=out, width=80, no_color=True, highlight=False))
    tables.render_summary(summary, "holdout", {"test_points": 24})
    return out.getvalue()


def test_a_wide_table_fits_80_columns_without_cutting_a_name_or_a_score(
        monkeypatch: pytest.MonkeyPatch) -> None:
    scores = {"lstm": 0.5123, "seasonal_naive": 2.4935, "auto_arima_log": 0.4567,
              "seasonal_drift": 0.4647, "naive2": 1.2345, "seq2seq": 0.6}
    text = render_80(summary_frame(scores, seeds=3), monkeypatch)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
    assert [r[1].strip() for r in rows] == sorted(scores, key=lambda m: scores[m])
    header = next(line for line in text.splitlines() if line.startswith("┃"))
    assert [h.strip() for h in header.split("┃")[1:3]] == ["model", "MASE"]
    assert rows[0][2].strip() == "0.4567 ± 0.012"
    assert "(not shown at this width: " in text
    assert ("best: auto_arima_log (MASE 0.457); lstm 0.512 does NOT beat auto_arima_log "
            "0.457, does NOT beat seasonal_drift 0.465, beats naive2 1.234, beats "
            "seasonal_naive 2.494; seq2seq 0.600 does NOT beat") in " ".join(text.split())


def test_evaluate_and_demo_in_an_80_column_terminal_show_every_number_whole(
        folder: Path, tmp_path: Path) -> None:
    env = {"COLUMNS": "80"}
    result = invoke("evaluate", str(folder / "air.csv"), "--horizon", "12", "--models",
                    "lstm,gru,naive,seasonal_naive,seasonal_drift", "--seeds", "2", *FAST,
                    env=env)
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    rows = [line.split("│") for line in result.stdout.splitlines() if line.startswith("│")]
    assert sorted(r[1].strip() for r in rows) == sorted(
        ["lstm", "gru", "naive", "seasonal_naive", "seasonal_drift"])
    mase = [float(r[2].split("±")[0]) for r in rows]
    assert mase == sorted(mase)
    assert "best: " in result.stdout
    demo = invoke("demo", "--out", str(tmp_path / "demo"), env=env)
    assert demo.exit_code == 0, demo.output
    assert "…" not in demo.stdout
    assert max(len(line) for line in demo.stdout.splitlines()) <= 80
    said = json.loads((tmp_path / "demo" / "metrics.json").read_text())["verdict"]
    assert said["text"].startswith("best: ") and "; lstm " in said["text"]
    assert {c["baseline"] for c in said["comparisons"]} == {
        "naive", "seasonal_naive", "seasonal_drift"}
    assert said["text"] in " ".join(demo.stdout.split())  # the same verdict, word-wrapped


# ------------------------------------------------------------------ help and language


def test_help_lists_every_model_and_the_real_defaults() -> None:
    from rnnforecast.baselines import BASELINES
    from rnnforecast.cli.support import BASELINE_NAMES, COMBINATION_NAMES, NETWORK_NAMES
    from rnnforecast.combination import COMBINATIONS
    from rnnforecast.forecaster import _PANEL, _SMALL, MODELS

    assert MODELS == NETWORK_NAMES and tuple(BASELINES) == BASELINE_NAMES
    assert tuple(COMBINATIONS) == COMBINATION_NAMES
    env = {"COLUMNS": "250"}
    fit_help = " ".join(invoke("fit", "--help", env=env).stdout.replace("│", " ").split())
    assert (f"{', '.join(MODELS)} (default lstm), or the combination {', '.join(COMBINATIONS)} "
            "(0.5 lstm + 0.25 AutoETS + 0.25 Theta)") in fit_help
    assert f"(default: {_SMALL['lr']:g} small data, {_PANEL['lr']:g} panels)" in fit_help
    assert (f"(default: {_SMALL['hidden_size']} for small data, {_PANEL['hidden_size']} for "
            "panels)") in fit_help
    assert f"(default: {_SMALL['ensemble']} small data, {_PANEL['ensemble']} panels)" in fit_help
    evaluate_help = " ".join(invoke("evaluate", "--help", env=env).stdout.replace(
        "│", " ").split())
    assert (f"any of the networks {', '.join(MODELS)}, the combination "
            f"{', '.join(COMBINATIONS)} (0.5 lstm + 0.25 AutoETS + 0.25 Theta) and the "
            f"baselines {', '.join(BASELINES)} (seasonal_naive is always added)") in evaluate_help


FLAGS = {"resume": "--resume", "checkpoint": "--checkpoint", "strategy": "--strategy",
         "fill": "--fill", "levels": "--levels", "conformal": "--conformal",
         "local": "--local", "time_col": "--time-col", "num_layers": "--num-layers",
         "warm_start": "--init", "model": "--model", "horizon": "--horizon"}


@pytest.mark.parametrize(("api", "cli"), [
    ("resume=True needs checkpoint=<folder>: the folder of the fit to continue",
     "--resume needs --checkpoint DIR: the folder of the fit to continue"),
    ("refit with a longer horizon or use strategy='recursive'",
     "refit with a longer horizon or use --strategy recursive"),
    ("fill them with fill='interpolate'|'ffill'|'zero' (--fill) or remove the rows",
     "fill them with --fill interpolate|ffill|zero or remove the rows"),
    ("conformal=True needs levels, e.g. levels=[80, 95] (--levels 80,95)",
     "--conformal needs levels, e.g. --levels 80,95"),
    ("name it with time_col= / --time-col", "name it with --time-col"),
    ("use a global model (local=False)", "use a global model (without --local)"),
    ("num_layers=2 is not supported with local=True: leave num_layers unset",
     "--num-layers 2 is not supported with --local: leave --num-layers unset"),
    ("lag 3 must be an integer in [0, steps=5)", "lag 3 must be an integer in [0, steps=5)"),
    ("horizon=0 is invalid: use an integer >= 1 or None",
     "--horizon 0 is invalid: use an integer >= 1 or leave the option out"),
    ("series 'unique_id' at 2001-01", "series 'unique_id' at 2001-01"),
])
def test_errors_speak_flags_on_the_command_line(api: str, cli: str) -> None:
    assert cli_language(api, FLAGS) == cli
    assert cli_language(api, {}) == api  # outside the command line: unchanged


def test_a_library_error_reaches_the_command_line_in_flags(folder: Path) -> None:
    line = one_error(invoke("predict", str(folder / "air.rnnf"), "--horizon", "24"))
    assert line.endswith("refit with a longer horizon or use --strategy recursive")
    line = one_error(invoke("fit", str(folder / "train.csv"), "--horizon", "3", "--model",
                            "seq2seq", "--strategy", "recursive", "--save",
                            str(folder / "s.rnnf")))
    assert line == ("error: --model seq2seq forecasts the whole horizon at once: use "
                    "--strategy direct")
    with pytest.raises(Exception, match="strategy='recursive'"):
        Forecaster.load(folder / "air.rnnf").predict(horizon=24)
