"""The bad-input matrix of docs/errors.md: every case through the command line (exit code 2,
one ``error:`` line with the specific message, no traceback, no output file created or
truncated) and through the Python API (the same error class and message), plus the cases
whose documented behaviour is a result rather than an error (a constant series, all zeros,
unsorted rows, huge values, a series unseen in training, a million rows), training that
cannot fail silently, and outputs that a failed write never truncates."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner, Result

from rnnforecast import ConfigError, DataError, Forecaster, read_series
from rnnforecast.cli import app
from rnnforecast.errors import TrainingError
from rnnforecast.evaluation import evaluate
from rnnforecast.io import atomic as atomic_module
from rnnforecast.io import read_model_file
from rnnforecast.training import loop as loop_module

torch.set_num_threads(1)

FAST = ["--epochs", "3", "--hidden-size", "4", "--ensemble", "1", "--no-guard"]
FAST_KW: dict[str, Any] = {"epochs": 3, "hidden_size": 4, "ensemble": 1, "guard": False}
MONTHS = [f"{y}-{m:02d}" for y in (2000, 2001) for m in range(1, 13)]


def csv(values: list[Any], dates: list[str] = MONTHS, header: str = "month,sales",
        sep: str = ",") -> str:
    return header.replace(",", sep) + "\n" + "".join(
        f"{d}{sep}{v}\n" for d, v in zip(dates, values, strict=False))


GOOD = csv([100 + i for i in range(24)])
LONG_AB = "unique_id,ds,y\n" + "".join(
    f"{uid},{d}-01,{10 * k + i}\n" for k, uid in enumerate("AB") for i, d in enumerate(MONTHS))


# ------------------------------------------------------------------------ the matrix


@dataclass
class Case:
    """One bad input: the files it needs, the command line, what the API call is, and the
    message (a regular expression) both must give."""

    name: str
    files: dict[str, str | bytes]
    argv: list[str]
    message: str
    api: Callable[[dict[str, Path]], Any]
    error: type[Exception] = DataError
    api_message: str | None = None  # when the Python wording differs (option names)
    extra: dict[str, Any] = field(default_factory=dict)


def fit_api(**params: Any) -> Callable[[dict[str, Path]], Any]:
    def call(paths: dict[str, Path]) -> Any:
        return Forecaster(**{"horizon": 3, **FAST_KW, **params}).fit(paths["data"])
    return call


def fit_cli(*extra: str, horizon: str = "3") -> list[str]:
    return ["fit", "{data}", "--horizon", horizon, *FAST, *extra, "--save", "{out}"]


def _predict_short(paths: dict[str, Path]) -> Any:
    model = Forecaster(horizon=3, **FAST_KW).fit(paths["train"])
    return model.predict(data=paths["data"])


CASES = [
    Case("empty file", {"data": ""}, fit_cli(), r"data\.csv: the file is empty", fit_api()),
    Case("header only", {"data": "month,sales\n"}, fit_cli(),
         r"data\.csv: no data rows \(the input is empty or has only a header\)", fit_api()),
    Case("binary file", {"data": b"\x89PNG\r\n\x1a\n\x00\x00" * 30}, fit_cli(),
         r"data\.csv: binary content, not a CSV text file", fit_api()),
    Case("broken UTF-16 file", {"data": b"\xff\xfe" + GOOD.encode("utf-16-le") + b"\x00"},
         fit_cli(), r"data\.csv: not readable UTF-16 text; save the file as UTF-8", fit_api()),
    Case("wrong delimiter", {"data": csv(list(range(24)), sep=":")}, fit_cli(),
         r"found one column \('month:sales'\); expected a date column and a value column "
         r"separated by ',', ';', tab or '\|'", fit_api()),
    Case("no date column", {"data": "name,sales\n" + "".join(f"item{i},{i}\n" for i in range(9))},
         fit_cli(), r"no date column found \(columns: \['name', 'sales'\]\); add one, or name "
         r"it with --time-col$", fit_api(),
         api_message=r"add one, or name it with time_col= / --time-col"),
    Case("unparseable date", {"data": GOOD.replace("2000-05,", "May 2000x,")}, fit_cli(),
         r"cannot read 'May 2000x' in column 'month' at line 6 as a date", fit_api()),
    Case("mixed date formats", {"data": GOOD.replace("2000-05,", "05/01/2000,")}, fit_cli(),
         r"cannot read '05/01/2000' in column 'month' at line 6 as a date in the format of the "
         r"first row \('2000-01'\); use one date format", fit_api()),
    Case("no numeric column", {"data": csv([f"n{i}" for i in range(24)])}, fit_cli(),
         r"no numeric value column found \(columns: \['month', 'sales'\]\); name it with "
         r"--value-col$", fit_api(), api_message=r"name it with value_col= / --value-col"),
    Case("thousands separators", {"data": csv([f'"1,{i:03d}"' for i in range(24)])}, fit_cli(),
         r"non-numeric value '1,000' in column 'sales' at line 2; remove thousands separators",
         fit_api()),
    Case("unquoted thousands separator", {"data": GOOD.replace("2000-03,102", "2000-03,1,102")},
         fit_cli(), r"not a readable CSV file \(.*line 4, saw 3\); every line needs the same "
         r"number of fields \(quote values that contain the delimiter", fit_api()),
    Case("units", {"data": csv([f"{i} kg" for i in range(24)])}, fit_cli(),
         r"non-numeric value '0 kg' in column 'sales' at line 2; remove thousands separators "
         r"and units", fit_api()),
    # quoted in a comma-separated file (with ';' between fields a decimal comma is read)
    Case("decimal comma", {"data": csv([f'"{i},5"' for i in range(24)])}, fit_cli(),
         r"non-numeric value '0,5' .* \(write 1234\.5, not 1,234\.5, 1234,5", fit_api()),
    Case("NaN and empty cells", {"data": GOOD.replace("2000-06,105", "2000-06,")
                                 .replace("2000-09,108", "2000-09,NaN")}, fit_cli(),
         r"missing value in series 'sales' at 2000-06-01 \(2 in all\); fill them with "
         r"--fill interpolate\|ffill\|zero or", fit_api(),
         api_message=r"fill them with fill='interpolate'\|'ffill'\|'zero' \(--fill\)"),
    Case("inf", {"data": GOOD.replace("2000-06,105", "2000-06,inf")}, fit_cli(),
         r"infinite value in series 'sales' at 2000-06-01; replace it with a finite number",
         fit_api()),
    Case("-inf", {"data": GOOD.replace("2000-06,105", "2000-06,-Infinity")}, fit_cli(),
         r"infinite value in series 'sales' at 2000-06-01", fit_api()),
    Case("duplicated timestamps", {"data": GOOD.replace("2000-06,", "2000-05,")}, fit_cli(),
         r"duplicated timestamp 2000-05-01 in series 'sales'; keep one row per timestamp",
         fit_api()),
    Case("missing timestamps", {"data": GOOD.replace("2000-06,105\n", "")}, fit_cli(),
         r"series 'sales' misses 1 timestamp\(s\) at frequency 'MS', first 2000-06-01; add the "
         r"rows, or fill the gaps with --fill interpolate", fit_api(),
         api_message=r"fill the gaps with fill="),
    Case("irregular timestamps",
         {"data": csv(list(range(8)), dates=["2000-01-01", "2000-01-04", "2000-01-09",
                                             "2000-01-10", "2000-02-27", "2000-03-15",
                                             "2000-03-16", "2000-05-01"])}, fit_cli(),
         r"data\.csv: cannot infer a regular frequency from the timestamps in series 'sales' "
         r"\(first ones: 2000-01-01, 2000-01-04, .*\); use regularly spaced timestamps",
         fit_api()),
    Case("single row", {"data": csv([1])}, fit_cli(),
         r"series 'sales' has 1 point; a series needs at least horizon \+ 2 points", fit_api()),
    Case("shorter than horizon + 2", {"data": csv(list(range(4)))}, fit_cli(),
         r"series 'sales' has 4 points; with horizon 3 a series needs at least 5 \(horizon "
         r"\+ 2\): use a shorter horizon or more data", fit_api()),
    Case("negative values with --transform log", {"data": csv([i - 5 for i in range(24)])},
         fit_cli("--transform", "log"), r"--transform log needs positive values, but series "
         r"'sales' has a value <= 0 \(min -5\); use --transform auto or none",
         fit_api(transform="log"), api_message=r"transform='log' needs positive values, but "
         r"series 'sales' has a value <= 0 \(min -5\); use transform='auto' or 'none'"),
    Case("values overflowing float32", {"data": csv([f"{(-1) ** (i // 12) * 1.7e308:.17g}"
                                                     for i in range(24)])}, fit_cli(),
         r"the scaled data contains values too large for the model's float type; rescale",
         fit_api()),
    Case("horizon 0", {"data": GOOD}, fit_cli(horizon="0"),
         r"--horizon 0 is invalid: use an integer >= 1", fit_api(horizon=0), ConfigError,
         r"horizon=0 is invalid: use an integer >= 1"),
    Case("negative horizon", {"data": GOOD}, fit_cli(horizon="-2"),
         r"--horizon -2 is invalid: use an integer >= 1", fit_api(horizon=-2), ConfigError,
         r"horizon=-2 is invalid: use an integer >= 1"),
    Case("lookback too large", {"data": GOOD}, fit_cli("--lookback", "30"),
         r"lookback 30 leaves no training window: the longest series has 24 points and "
         r"horizon 3 needs lookback \+ horizon \+ 1 <= 24; use lookback <= 20",
         fit_api(lookback=30)),
    Case("unknown model", {"data": GOOD}, fit_cli("--model", "transformer"),
         r"--model 'transformer' is invalid: use one of lstm, gru, rnn",
         fit_api(model="transformer"), ConfigError,
         r"model='transformer' is invalid: use one of lstm, gru, rnn"),
    Case("learning rate too large", {"data": GOOD}, fit_cli("--lr", "1e38"),
         r"--lr 1e\+38 is invalid: use a number in \(0, 1000\]", fit_api(lr=1e38), ConfigError,
         api_message=r"lr=1e\+38 is invalid: use a number in \(0, 1000\]"),
    Case("predict from less than a season", {"train": GOOD, "data": csv([1, 2, 3, 4, 5])},
         ["predict", "{model}", "--data", "{data}", "--out", "{out}"],
         r"series 'sales' has 5 points; forecasting it needs at least 12 \(one season\)",
         _predict_short),
    Case("--test with other series", {"data": LONG_AB, "test": "unique_id,ds,y\nA,2002-01-01,1\n"
                                      "A,2002-02-01,2\nC,2002-01-01,1\nC,2002-02-01,2\n"},
         ["evaluate", "{data}", "--horizon", "2", "--models", "naive", "--test", "{test}",
          "--scores", "{out}"],
         r"test\.csv: no test values for series 'B'; the test data must hold the next 2 points "
         r"of every training series",
         lambda p: evaluate(p["data"], ["naive"], horizon=2, test=p["test"])),
    Case("--test with an extra series", {"data": LONG_AB, "test": "unique_id,ds,y\n"
                                         "A,2002-01-01,1\nB,2002-01-01,2\nC,2002-01-01,3\n"
                                         "A,2002-02-01,1\nB,2002-02-01,2\nC,2002-02-01,3\n"},
         ["evaluate", "{data}", "--horizon", "2", "--models", "naive", "--test", "{test}"],
         r"series 'C' is in the test data but not in the training data; use the same "
         r"unique_id values in both",
         lambda p: evaluate(p["data"], ["naive"], horizon=2, test=p["test"])),
    Case("--test dates not following", {"data": GOOD, "test": "month,sales\n2002-03,1\n"
                                                              "2002-04,2\n"},
         ["evaluate", "{data}", "--horizon", "2", "--models", "naive", "--test", "{test}"],
         r"test series 'sales' runs 2002-03-01\.\.2002-04-01 but its training data ends at "
         r"2001-12-01 \(frequency MS\): the test must continue it exactly, "
         r"2002-01-01\.\.2002-02-01",
         lambda p: evaluate(p["data"], ["naive"], horizon=2, test=p["test"])),
]


def make_files(folder: Path, case: Case) -> dict[str, Path]:
    paths = {}
    for key, content in case.files.items():
        path = folder / f"{key}.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        paths[key] = path
    return paths


def assert_one_error_line(result: Result, message: str) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # reported_errors exits, not a crash
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert re.search(message, lines[0]), (message, lines[0])
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return lines[0]


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("matrix")
    data = folder / "train.csv"
    data.write_text(GOOD)
    model = folder / "model.rnnf"
    Forecaster(horizon=3, **FAST_KW).fit(data).save(model)
    return model


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_on_the_command_line(case: Case, tmp_path: Path, trained_model: Path) -> None:
    paths = make_files(tmp_path, case)
    out = tmp_path / "out.file"
    out.write_text("precious")
    names = {"{out}": str(out), "{model}": str(trained_model),
             **{f"{{{k}}}": str(v) for k, v in paths.items()}}
    argv = [names.get(a, a) for a in case.argv]
    assert_one_error_line(CliRunner().invoke(app, argv), case.message)
    assert out.read_text() == "precious"  # never truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [out.name, *(p.name for p in paths.values())])  # nor any file created


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_through_the_python_api(case: Case, tmp_path: Path) -> None:
    paths = make_files(tmp_path, case)
    with pytest.raises(case.error, match=case.api_message or case.message) as info:
        case.api(paths)
    assert "\n" not in str(info.value)


def test_real_processes_print_one_line_and_no_traceback(tmp_path: Path) -> None:
    """A few cases through the real entry point (the rest go through reported_errors in-process)."""
    env = {**os.environ, "NO_COLOR": "1"}
    for case in (CASES[0], CASES[10], CASES[22]):
        folder = tmp_path / case.name.replace(" ", "_")
        folder.mkdir()
        paths = make_files(folder, case)
        argv = [str(paths["data"]) if a == "{data}" else str(folder / "m.rnnf")
                if a == "{out}" else a for a in case.argv]
        run = subprocess.run([sys.executable, "-m", "rnnforecast", *argv], capture_output=True,
                             text=True, env=env, timeout=120)
        assert run.returncode == 2, run.stderr
        assert run.stdout == "" and "Traceback" not in run.stderr
        assert len(run.stderr.splitlines()) == 1 and re.search(case.message, run.stderr)
        assert not (folder / "m.rnnf").exists()


# -------------------------------------------------------- documented behaviours


def fit_predict_cli(tmp_path: Path, text: str, *extra: str) -> pd.DataFrame:
    data = tmp_path / "data.csv"
    data.write_text(text)
    model = tmp_path / "model.rnnf"
    runner = CliRunner()
    fitted = runner.invoke(app, ["fit", str(data), "--horizon", "6", *FAST, *extra,
                                 "--save", str(model)])
    assert fitted.exit_code == 0, fitted.output
    predicted = runner.invoke(app, ["predict", str(model)])
    assert predicted.exit_code == 0, predicted.output
    return read_csv_exactly(predicted.stdout)


def read_csv_exactly(text: str) -> pd.DataFrame:
    """pandas' default float parser can be one unit in the last place off."""
    return pd.read_csv(StringIO(text), float_precision="round_trip")


@pytest.mark.parametrize("value", [5, 0, -3.25, 1e-5])
def test_a_constant_series_forecasts_the_constant(tmp_path: Path, value: float) -> None:
    forecast = fit_predict_cli(tmp_path, csv([value] * 24))
    assert forecast["lstm"].tolist() == [value] * 6  # exactly, no division by zero
    api = Forecaster(horizon=6, **FAST_KW).fit(tmp_path / "data.csv").predict()
    assert api["lstm"].tolist() == [value] * 6


def test_unsorted_rows_are_sorted(tmp_path: Path) -> None:
    rows = GOOD.splitlines()
    shuffled = "\n".join([rows[0], *np.random.default_rng(0).permutation(rows[1:])]) + "\n"
    (tmp_path / "sorted.csv").write_text(GOOD)
    from_unsorted = fit_predict_cli(tmp_path, shuffled)
    a = Forecaster(horizon=6, **FAST_KW).fit(tmp_path / "data.csv")
    b = Forecaster(horizon=6, **FAST_KW).fit(tmp_path / "sorted.csv")
    for key, value in a.net_.state_dict().items():
        assert torch.equal(value, b.net_.state_dict()[key]), key  # the same model
    assert from_unsorted["lstm"].tolist() == b.predict()["lstm"].tolist()


def test_huge_values_forecast_finite_numbers(tmp_path: Path) -> None:
    values = [f"{(-1) ** i * (1 + i % 12) * 1e300:.17g}" for i in range(24)]
    forecast = fit_predict_cli(tmp_path, csv(values))
    assert np.isfinite(forecast["lstm"]).all()
    assert np.abs(forecast["lstm"]).max() > 1e299  # on the scale of the data


def test_a_series_unseen_in_training_is_forecast_from_its_own_data(
        tmp_path: Path, trained_model: Path) -> None:
    """Documented: predict(data=...) with a new unique_id fits that series' transform on the
    data given (a global model forecasting a new series)."""
    new = tmp_path / "new.csv"
    new.write_text("unique_id,ds,y\n" + "".join(
        f"other,{d}-01,{1000 + 10 * i}\n" for i, d in enumerate(MONTHS)))
    result = CliRunner().invoke(app, ["predict", str(trained_model), "--data", str(new)])
    assert result.exit_code == 0, result.output
    forecast = read_csv_exactly(result.stdout)
    assert set(forecast["unique_id"]) == {"other"}
    assert forecast["ds"].tolist() == ["2002-01-01", "2002-02-01", "2002-03-01"]
    assert np.isfinite(forecast["lstm"]).all()
    model = Forecaster.load(trained_model)
    api = model.predict(data=new)
    assert api["lstm"].tolist() == forecast["lstm"].tolist()
    assert "other" not in model.series_  # predict never changes the model


def _long_csv(path: Path, n_series: int, length: int) -> None:
    rng = np.random.default_rng(0)
    ds = pd.date_range("2000-01-01", periods=length, freq="D").strftime("%Y-%m-%d")
    pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(n_series)], length),
                  "ds": np.tile(ds, n_series),
                  "y": np.round(rng.random(n_series * length) * 100 + 1, 3)}
                 ).to_csv(path, index=False)


def _check_big(path: Path, n_series: int, length: int) -> None:
    frame = read_series(path)
    assert len(frame) == n_series * length and frame["unique_id"].nunique() == n_series
    assert frame.attrs["freq"] == "D"
    assert np.isfinite(frame["y"]).all()
    result = CliRunner().invoke(app, ["fit", str(path), "--horizon", "7", "--epochs", "1",
                                      "--hidden-size", "2", "--ensemble", "1",
                                      "--save", str(path.with_suffix(".rnnf"))])
    assert result.exit_code == 0, result.output
    meta, _ = read_model_file(path.with_suffix(".rnnf"))
    assert len(meta["fitted"]["series"]) == n_series


def test_a_100k_row_file(tmp_path: Path) -> None:
    _long_csv(tmp_path / "big.csv", 100, 1000)
    _check_big(tmp_path / "big.csv", 100, 1000)


@pytest.mark.slow
def test_a_million_row_file(tmp_path: Path) -> None:
    """1000 series x 1000 days (read in about 2 s; 10 000 series x 100 months too)."""
    _long_csv(tmp_path / "big.csv", 1000, 1000)
    _check_big(tmp_path / "big.csv", 1000, 1000)


# ------------------------------------------------------ training that cannot fail silently


_MSE = loop_module.LOSSES["mse"]


def nan_from_epoch(monkeypatch: pytest.MonkeyPatch, epoch: int) -> None:
    """The MSE loss turns NaN from ``epoch`` on (full batch: one call per epoch)."""
    calls = {"n": 0}
    mse = _MSE

    def poisoned(p: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        calls["n"] += 1
        loss = mse(p, t)
        return loss * float("nan") if calls["n"] >= epoch else loss

    monkeypatch.setitem(loop_module.LOSSES, "mse", poisoned)


def test_a_non_finite_loss_later_stops_training_keeps_the_last_good_weights(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data.csv"
    data.write_text(GOOD)
    model = tmp_path / "m.rnnf"
    good = Forecaster(horizon=3, **{**FAST_KW, "epochs": 2}).fit(data)
    nan_from_epoch(monkeypatch, 3)
    result = CliRunner().invoke(app, ["fit", str(data), "--horizon", "3", *FAST,
                                      "--save", str(model)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: training stopped: non-finite training loss at epoch 3; the weights of the "
        "last good epoch are kept (a lower learning rate, --lr, may train further)"]
    saved = Forecaster.load(model)
    assert saved.stop_reason_ == "non-finite training loss at epoch 3"
    assert len(saved.history_["train_loss"]) == 2
    for key, value in good.net_.state_dict().items():
        assert torch.equal(value, saved.net_.state_dict()[key]), key  # epoch 2's weights
    assert np.isfinite(saved.predict()["lstm"]).all()
    nan_from_epoch(monkeypatch, 3)
    with pytest.warns(RuntimeWarning, match="non-finite training loss at epoch 3"):
        Forecaster(horizon=3, **FAST_KW).fit(data)


def test_a_nan_in_the_first_epoch_is_an_error_not_a_nan_forecast(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data.csv"
    data.write_text(GOOD)
    nan_from_epoch(monkeypatch, 1)
    with pytest.raises(TrainingError, match="first epoch"):
        Forecaster(horizon=3, **FAST_KW).fit(data)
    nan_from_epoch(monkeypatch, 1)
    out = tmp_path / "m.rnnf"
    result = CliRunner().invoke(app, ["fit", str(data), "--horizon", "3", *FAST,
                                      "--save", str(out)])
    assert_one_error_line(result, r"training loss became NaN or inf in the first epoch; lower "
                                  r"--lr, keep gradient clipping on, or check the data for "
                                  r"extreme values")
    assert not out.exists()


def test_fit_notes_when_clipping_acted_in_most_steps(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text(GOOD)
    args = ["fit", str(data), "--horizon", "3", *FAST, "--save", str(tmp_path / "m.rnnf")]
    runner = CliRunner()
    clipped = runner.invoke(app, ["--verbose", *args, "--clip", "1e-6"])
    assert clipped.exit_code == 0, clipped.output
    text = " ".join(clipped.stderr.split())
    assert ("note: gradient clipping (--clip 1e-06) acted in 100% of the training steps: if "
            "the training loss is unstable, lower --lr; if it falls slowly, raise --clip or "
            "train more --epochs") in text
    assert runner.invoke(app, [*args, "--clip", "1e-6"]).stderr == ""  # not a terminal
    calm = runner.invoke(app, ["--verbose", *args, "--clip", "1e6"])
    assert calm.exit_code == 0 and "note:" not in calm.stderr
    history = Forecaster.load(tmp_path / "m.rnnf").history_
    assert history["clipped"] == [0.0] * 3 and all(g > 0 for g in history["grad_norm"])


# ------------------------------------------------- outputs: atomic, never truncated


@pytest.fixture(scope="module")
def model_and_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("outputs")
    data = folder / "data.csv"
    data.write_text(GOOD)
    model = folder / "model.rnnf"
    Forecaster(horizon=3, **FAST_KW).fit(data).save(model)
    return model, data


OUTPUT_COMMANDS = {
    "fit --save": lambda m, d, o: ["fit", str(d), "--horizon", "3", *FAST, "--save", str(o)],
    "predict --out": lambda m, d, o: ["predict", str(m), "--out", str(o)],
    "evaluate --scores": lambda m, d, o: ["evaluate", str(d), "--horizon", "3", "--models",
                                          "naive", "--scores", str(o)],
    "plot --out": lambda m, d, o: ["plot", str(m), "--out", str(o)],
    "demo": lambda m, d, o: ["demo", "--out", str(o.parent)],
}


@pytest.mark.parametrize("command", list(OUTPUT_COMMANDS))
def test_a_failed_write_never_truncates_an_existing_output(
        command: str, model_and_data: tuple[Path, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    model, data = model_and_data
    out = tmp_path / ("forecast.png" if command in ("plot --out", "demo") else "out.file")
    out.write_bytes(b"precious")
    if command == "demo" and command == "demo":
        for name in ("training.png", "forecast.csv", "metrics.json"):
            (tmp_path / name).write_bytes(b"precious")
    real_replace = os.replace

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    argv = OUTPUT_COMMANDS[command](model, data, out)
    if command == "demo":
        pytest.importorskip("statsforecast")
    monkeypatch.setattr(atomic_module.os, "replace", disk_full)
    failed = CliRunner().invoke(app, argv)
    assert failed.exit_code != 0 and "No space left on device" in failed.stderr
    assert "Traceback" not in failed.output
    for path in tmp_path.iterdir():
        assert path.read_bytes() == b"precious", path  # old outputs intact, no temporaries
    monkeypatch.setattr(atomic_module.os, "replace", real_replace)
    done = CliRunner().invoke(app, argv)
    assert done.exit_code == 0, done.output
    assert out.read_bytes() != b"precious"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_written_files_get_normal_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        atomic_module.atomic_write_bytes(tmp_path / "a.bin", b"x")
        assert (tmp_path / "a.bin").stat().st_mode & 0o777 == 0o640
        os.umask(0o002)
        atomic_module.atomic_write_bytes(tmp_path / "a.bin", b"y")  # replacing keeps nothing
        assert (tmp_path / "a.bin").stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(previous)
    atomic_module.atomic_write_bytes(tmp_path / "b.bin", b"z")
    assert (tmp_path / "b.bin").stat().st_mode & 0o777 == 0o666 & ~previous
