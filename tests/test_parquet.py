"""Partitioned Parquet input: series are read by group (never the whole panel for a
group), a fit from a Parquet folder is the fit from the same frame, streamed prediction
gives the rows of one prediction over the whole panel, and without pyarrow the user is told
to install the extra."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rnnforecast import ConfigError, DataError, Forecaster, read_series
from rnnforecast.cli import app
from rnnforecast.data.parquet import (
    is_parquet,
    iter_parquet_groups,
    parquet_ids,
    predict_parquet,
    read_parquet_series,
    write_parquet_panel,
)

pytest.importorskip("pyarrow")

SMALL = {"horizon": 6, "hidden_size": 4, "epochs": 3, "ensemble": 1, "batch_size": 64}


def panel(n_series: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    parts = []
    for i in range(n_series):
        n = 40 + 5 * i
        y = 20 + 5 * np.sin(np.arange(n) / 2.0 + i) + rng.normal(0, 0.5, n)
        parts.append(pd.DataFrame({"unique_id": f"id{i:02d}", "y": y,
                                   "ds": pd.date_range("2001-01", periods=n, freq="MS")}))
    return pd.concat(parts, ignore_index=True)[["unique_id", "ds", "y"]]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "panel"
    write_parquet_panel(panel().sample(frac=1.0, random_state=0), folder, files=3,
                        row_group_size=50)
    return folder


def test_dataset_reads_back_as_the_canonical_frame(dataset: Path) -> None:
    assert is_parquet(dataset) and is_parquet(dataset / "part-00000.parquet")
    assert not is_parquet(dataset.parent / "nothing.csv")
    assert len(list(dataset.glob("*.parquet"))) == 3
    pd.testing.assert_frame_equal(read_parquet_series(dataset), read_series(panel()))
    assert parquet_ids(dataset) == [f"id{i:02d}" for i in range(7)]


def test_groups_hold_only_their_series(dataset: Path) -> None:
    part = read_parquet_series(dataset, ids=["id05", "id01"])
    assert list(pd.unique(part["unique_id"])) == ["id01", "id05"]
    whole = read_series(panel())
    pd.testing.assert_frame_equal(
        part, whole[whole["unique_id"].isin(["id01", "id05"])].reset_index(drop=True))
    groups = list(iter_parquet_groups(dataset, group_size=3))
    assert [g["unique_id"].nunique() for g in groups] == [3, 3, 1]
    pd.testing.assert_frame_equal(pd.concat(groups, ignore_index=True), whole)
    with pytest.raises(DataError, match="no rows"):
        read_parquet_series(dataset, ids=["nope"])


def test_fit_from_parquet_and_streamed_predict(dataset: Path, tmp_path: Path) -> None:
    from_frame = Forecaster(**SMALL).fit(panel())
    from_parquet = Forecaster(**SMALL).fit(dataset)
    pd.testing.assert_frame_equal(from_frame.predict(), from_parquet.predict(), check_exact=True)
    rows = predict_parquet(from_parquet, dataset, tmp_path / "fc.csv", group_size=2)
    streamed = pd.read_csv(tmp_path / "fc.csv", parse_dates=["ds"])
    whole = from_parquet.predict(data=read_series(panel()))
    assert rows == len(whole)
    np.testing.assert_allclose(streamed["lstm"], whole["lstm"], rtol=1e-12)
    assert list(streamed["unique_id"]) == list(whole["unique_id"])


def test_cli_fit_and_predict_on_a_parquet_folder(dataset: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["fit", str(dataset), "--horizon", "6", "--epochs", "2",
                               "--hidden-size", "4", "--save", str(tmp_path / "m.rnnf")])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["predict", str(tmp_path / "m.rnnf"), "--data", str(dataset),
                               "--out", str(tmp_path / "fc.csv")])
    assert done.exit_code == 0, done.output
    assert pd.read_csv(tmp_path / "fc.csv")["unique_id"].nunique() == 7


def test_missing_columns_and_paths_are_data_errors(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["a"], "ds": [1], "y": [1.0]}), tmp_path / "bad.parquet")
    with pytest.raises(DataError, match="lacks column"):
        read_parquet_series(tmp_path / "bad.parquet")
    with pytest.raises(DataError, match="no such"):
        read_parquet_series(tmp_path / "missing.parquet")


def test_without_pyarrow_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                                   dataset: Path) -> None:
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    with pytest.raises(ConfigError, match=r"pip install 'rnnforecast\[scale\]'"):
        read_parquet_series(dataset)
