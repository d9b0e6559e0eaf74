"""Per-series jobs partitioned by series on Dask give the single-process results, row for
row: baselines and a global network under the holdout and backtest protocols, local models,
batch prediction of a fitted global model (sent to workers as its file's bytes); the command
line's --backend dask; clear errors for what cannot be partitioned.

One in-process LocalCluster (two single-threaded workers, in-process transport) serves the
module: it starts in a fraction of a second, so the checks stay fast and need no network."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rnnforecast import ConfigError, Forecaster
from rnnforecast.evaluation import evaluate, run_protocol
from rnnforecast.evaluation.dask_backend import (
    evaluate_partitioned,
    partition_ids,
    predict_partitioned,
)

distributed = pytest.importorskip("distributed")

DEEP = {"epochs": 2, "hidden_size": 4, "ensemble": 1}


def panel(n_series: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    parts = []
    for i in range(n_series):
        n = 48 + 4 * i
        y = 30 + 6 * np.sin(2 * np.pi * np.arange(n) / 12 + i) + rng.normal(0, 0.7, n)
        parts.append(pd.DataFrame({"unique_id": f"u{i}", "y": y,
                                   "ds": pd.date_range("1999-01", periods=n, freq="MS")}))
    return pd.concat(parts, ignore_index=True)[["unique_id", "ds", "y"]]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # in-process workers; the scheduler's HTTP server on a free port (":0"): a fixed port
    # may be taken by another cluster on the machine
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as c:
        yield c


def assert_same_result(a: Any, b: Any, exact: bool = True) -> None:
    cols = [c for c in a.scores.columns if c != "fit_seconds"]  # CPU time differs
    close = {"check_exact": True} if exact else {"check_exact": False, "rtol": 1e-5}
    pd.testing.assert_frame_equal(a.scores[cols], b.scores[cols], **close)
    pd.testing.assert_frame_equal(a.forecasts, b.forecasts, **close)
    pd.testing.assert_frame_equal(a.train, b.train)
    pd.testing.assert_frame_equal(a.test, b.test)
    assert {k: v for k, v in b.notes.items() if k not in ("backend", "partitions")} == a.notes


@pytest.mark.parametrize(("protocol", "extra"), [("holdout", {}),
                                                 ("backtest", {"windows": 2, "step": 3})])
def test_partitioned_evaluation_is_the_single_process_one(client: Any, protocol: str,
                                                          extra: dict[str, Any]) -> None:
    models = "naive,drift,lstm,seasonal_drift"
    single = run_protocol(panel(), models, horizon=6, protocol=protocol, **extra, **DEEP)
    parted = evaluate_partitioned(panel(), models, horizon=6, protocol=protocol, client=client,
                                  partitions=3, **extra, **DEEP)
    assert_same_result(single, parted)
    assert parted.notes["partitions"] == 3
    assert "lstm" in parted.fitted  # the global network's fitted object comes back


def test_evaluate_backend_dask_with_a_scheduler_address(client: Any) -> None:
    single = evaluate(panel(), "naive,seasonal_naive", horizon=6)
    parted = evaluate(panel(), "naive,seasonal_naive", horizon=6, backend="dask",
                      scheduler=client.scheduler.address)
    cols = [c for c in single.columns if c != "fit_seconds"]
    pd.testing.assert_frame_equal(single[cols], parted[cols], check_exact=True)


def test_local_models_are_partitioned(client: Any) -> None:
    options = {"local": True, **DEEP}
    try:
        single = run_protocol(panel(4), "gru", horizon=6, **options)
    except ConfigError as exc:  # pragma: no cover - only before local models exist
        pytest.skip(f"local models unavailable: {exc}")
    parted = evaluate_partitioned(panel(4), "gru", horizon=6, client=client, partitions=2,
                                  **options)
    # the series' networks train as one grouped model: with fewer series per group its
    # batched kernels round differently, so the results agree to float32 rounding
    assert_same_result(single, parted, exact=False)


def test_partitioned_prediction_is_the_single_process_one(client: Any, tmp_path: Path) -> None:
    fitted = Forecaster(horizon=6, **DEEP).fit(panel())
    pd.testing.assert_frame_equal(fitted.predict(),
                                  predict_partitioned(fitted, client=client, partitions=3),
                                  check_exact=True)
    fitted.save(tmp_path / "m.rnnf")
    later = panel().groupby("unique_id").head(45)
    pd.testing.assert_frame_equal(
        fitted.predict(horizon=4, data=later),
        predict_partitioned(tmp_path / "m.rnnf", later, horizon=4, client=client),
        check_exact=True)


def test_partitions_are_contiguous_blocks() -> None:
    assert partition_ids(list("abcdefg"), 3) == [["a", "b"], ["c", "d"], ["e", "f", "g"]]
    assert partition_ids(["a"], 4) == [["a"]]


def test_what_cannot_be_partitioned_is_refused(client: Any) -> None:
    with pytest.raises(ConfigError, match="backend='spark' is invalid"):
        evaluate(panel(), "naive", horizon=6, backend="spark")
    with pytest.raises(ConfigError, match="tutorial protocol"):
        evaluate(panel(1), "naive", protocol="tutorial", backend="dask")
    with pytest.raises(ConfigError, match="needs backend='dask'"):
        evaluate(panel(), "naive", horizon=6, scheduler="tcp://127.0.0.1:1")


@pytest.mark.slow
def test_cli_backend_dask_starts_a_local_cluster(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rnnforecast.cli import app

    panel().to_csv(tmp_path / "p.csv", index=False)
    runner = CliRunner()
    args = ["evaluate", str(tmp_path / "p.csv"), "--horizon", "6", "--models", "naive,drift",
            "--format", "csv"]
    local = runner.invoke(app, args)
    dask = runner.invoke(app, [*args, "--backend", "dask"])
    assert local.exit_code == 0 and dask.exit_code == 0, dask.output
    drop = "fit_seconds"
    a = pd.read_csv(__import__("io").StringIO(local.stdout))
    b = pd.read_csv(__import__("io").StringIO(dask.stdout))
    cols = [c for c in a.columns if drop not in c]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_workers_read_their_own_parquet_blocks(client: Any, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from rnnforecast.data.parquet import read_parquet_series, write_parquet_panel

    write_parquet_panel(panel(), tmp_path / "pq", files=2)
    frame = read_parquet_series(tmp_path / "pq")
    single = run_protocol(frame, "naive,lstm", horizon=6, **DEEP)
    parted = evaluate_partitioned(tmp_path / "pq", "naive,lstm", horizon=6, client=client,
                                  partitions=3, **DEEP)
    assert_same_result(single, parted)
    fitted = single.fitted["lstm"]
    pd.testing.assert_frame_equal(
        fitted.predict(data=frame),
        predict_partitioned(fitted, tmp_path / "pq", client=client, partitions=2),
        check_exact=True)


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ConfigError, match=r"pip install 'rnnforecast\[scale\]'"):
        evaluate(panel(), "naive", horizon=6, backend="dask")
