"""Per-series work partitioned by ``unique_id`` on Dask (dask.distributed;
``rnnforecast[scale]``).

Baselines, local models (``Forecaster(local=True)``), backtests and batch prediction of a
fitted global model treat every series on its own, so the panel is cut into contiguous blocks
of series and each block runs the ordinary single-process code on a worker; the blocks'
results are concatenated and put back in the single-process order, so the scores and
forecasts are identical to a single-process run (only ``fit_seconds``, CPU time, differs: it
becomes the sum over the blocks). A global network learns from all series at once: it is fitted
once, as one task, on the whole panel (data-parallel training of one global model is
`rnnforecast.training.distributed`'s job), and its batch prediction is partitioned.

Why Dask: it is pure Python, pip-installable, runs the same code on a laptop (LocalCluster,
in-process threads or local processes) and on a cluster (``--scheduler tcp://host:8786``), and
moves pandas frames without extra glue. A Ray backend would plug in at one place: `_Runner`
(submit a function with arguments, gather the results in order), e.g. ``ray.remote(fn)
.remote(*args)`` and ``ray.get``; the partitioning, ordering and merging stay the same.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rnnforecast.data.parquet import is_parquet, parquet_ids, read_parquet_series
from rnnforecast.data.reader import ReadOptions
from rnnforecast.errors import ConfigError, require
from rnnforecast.evaluation.local import run_local
from rnnforecast.evaluation.protocols import EvaluationResult, deep_models, resolve_models

if TYPE_CHECKING:
    from rnnforecast.forecaster import Forecaster

__all__ = ["BACKENDS", "evaluate_partitioned", "partition_ids", "predict_partitioned"]

BACKENDS = ("local", "dask")


def partition_ids(ids: Sequence[str], parts: int) -> list[list[str]]:
    """``ids`` cut into at most ``parts`` contiguous, near-equal blocks (order kept)."""
    n = len(ids)
    parts = max(1, min(parts, n))
    return [list(ids[i * n // parts: (i + 1) * n // parts]) for i in range(parts)]


class _Runner:
    """The one place that talks to the scheduler: run ``fn(*args)`` for each argument tuple
    and return the results in order."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
        futures = [self.client.submit(fn, *args, pure=False) for args in calls]
        return list(self.client.gather(futures))


@contextlib.contextmanager
def _runner(client: Any = None, scheduler: str | None = None,
            workers: int | None = None) -> Iterator[_Runner]:
    """A runner on ``client``, on the scheduler at ``scheduler``, or on a LocalCluster
    started (and closed) for this run."""
    if client is not None:
        yield _Runner(client)
        return
    require("distributed", "the Dask backend")
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler, timeout="30s") as remote:
            yield _Runner(remote)
        return
    import logging

    n = workers or min(4, os.cpu_count() or 1)
    # task errors still reach us as exceptions; the cluster's own shutdown chatter does not
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as local:
        yield _Runner(local)


# ------------------------------------------------------------------------- evaluate


def _per_series_models(names: list[str], kwargs: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(models that treat each series alone, global networks)."""
    deep = set(deep_models())
    local = bool(kwargs.get("local", False))
    per_series = [m for m in names if m not in deep or local]
    return per_series, [m for m in names if m not in per_series]


def _protocol_task(frame: Any, test: pd.DataFrame | None, names: list[str],
                   read: ReadOptions, options: dict[str, Any]) -> tuple[Any, ...] | None:
    """One block's protocol run (on a worker): scores, forecasts, train, test, notes."""
    if not names:
        return None
    result = run_local(_resolve(frame, read), names, read=read, test=test, **options)
    return result.scores, result.forecasts, result.train, result.test, result.notes


def _global_task(frame: Any, test: pd.DataFrame | None, names: list[str],
                 read: ReadOptions, options: dict[str, Any]) -> EvaluationResult | None:
    if not names:
        return None
    return run_local(_resolve(frame, read), names, read=read, test=test, **options)


def evaluate_partitioned(
    data: Any,
    models: str | Iterable[str] = ("lstm", "naive", "seasonal_naive"),
    *,
    protocol: str = "holdout",
    test: Any = None,
    client: Any = None,
    scheduler: str | None = None,
    partitions: int | None = None,
    time_col: str | None = None,
    value_col: str | None = None,
    id_col: str | None = None,
    **options: Any,
) -> EvaluationResult:
    """`rnnforecast.evaluation.run_protocol` with the per-series work partitioned by
    ``unique_id`` on Dask: same scores and forecasts, in the same order.

    ``client``: a ``distributed.Client`` to use; else ``scheduler`` (an address such as
    ``tcp://host:8786``); else a LocalCluster is started for the run. ``partitions``: blocks
    of series (default: two per worker). ``options`` are `run_protocol`'s (``horizon``,
    ``seeds``, ``windows``...) and the `Forecaster` keyword arguments.
    """
    read = ReadOptions(time_col, value_col, id_col, options.get("fill"))
    return _run_partitioned(data, models, read=read, protocol=protocol, test=test,
                            client=client, scheduler=scheduler, partitions=partitions,
                            **options)


def _run_partitioned(
    data: Any,
    models: str | Iterable[str],
    *,
    read: ReadOptions,
    protocol: str = "holdout",
    test: Any = None,
    client: Any = None,
    scheduler: str | None = None,
    partitions: int | None = None,
    **options: Any,
) -> EvaluationResult:
    """`evaluate_partitioned` with the data's reading options as one `ReadOptions`."""
    if protocol == "tutorial":
        raise ConfigError("the tutorial protocol measures one series: there is nothing to "
                          "partition, use the local backend")
    names = resolve_models(models)
    frame, ids = _source(data, read)
    test_frame = None if test is None else read.read(test, fill=None)
    canonical = ReadOptions(fill=read.fill)  # how a block reads: no column names to find
    per_series, global_names = _per_series_models(names, options)
    if partitions is not None and (not isinstance(partitions, int) or partitions < 1):
        raise ConfigError(f"partitions={partitions!r} is invalid: use an integer >= 1")
    with _runner(client, scheduler) as runner:
        blocks = partition_ids(ids, partitions or 2 * runner.workers)
        calls: list[tuple[Any, ...]] = [
            (_part(data, frame, b), None if test_frame is None else _block(test_frame, b),
             per_series, canonical, dict(options, protocol=protocol)) for b in blocks]
        pending: list[Callable[..., Any]] = [_protocol_task] * len(calls)
        if global_names:
            calls.append((_part(data, frame, None), test_frame, global_names, canonical,
                          dict(options, protocol=protocol)))
            pending.append(_global_task)
        results = runner.map(_dispatch, [(fn, *args) for fn, args in
                                         zip(pending, calls, strict=True)])
    parts = [r for r in results[: len(blocks)] if r is not None]
    whole = results[len(blocks)] if global_names else None
    return _merge(protocol, options, parts, whole, global_names,
                  {uid: i for i, uid in enumerate(ids)},
                  {m: i for i, m in enumerate(names)}, len(blocks))


def _merge(protocol: str, options: dict[str, Any], parts: list[tuple[Any, ...]],
           whole: EvaluationResult | None, global_names: list[str], position: dict[str, int],
           order: dict[str, int], partitions: int) -> EvaluationResult:
    """The blocks' results (and the global networks' one) as the single-process result:
    concatenated, in its order, with ``fit_seconds`` summed over the blocks."""
    scores, forecasts, train, test_out = [], [], [], []
    if parts:
        block_scores = [p[0] for p in parts]
        seconds = pd.concat([s.groupby(["model", "seed"], sort=False)["fit_seconds"].first()
                             for s in block_scores]).groupby(level=[0, 1]).sum()
        for s in block_scores:
            s = s.copy()
            s["fit_seconds"] = [float(seconds[m, k]) for m, k in
                                zip(s["model"], s["seed"], strict=True)]
            scores.append(s)
        forecasts += [p[1] for p in parts]
        train += [p[2] for p in parts]
        test_out += [p[3] for p in parts]
    fitted: dict[str, Any] = {}
    notes: dict[str, Any] = {}
    if whole is not None:
        keep = whole.scores["model"].isin(global_names)
        scores.append(whole.scores[keep])
        forecasts.append(whole.forecasts[whole.forecasts["model"].isin(global_names)])
        fitted, notes = dict(whole.fitted), dict(whole.notes)
        if not parts:
            train, test_out = [whole.train], [whole.test]
    out_train = _series_order(pd.concat(train, ignore_index=True), position)
    out_test = _series_order(pd.concat(test_out, ignore_index=True), position)
    if parts and not notes:  # the points counted over the blocks
        notes = dict(parts[0][4])
        for key in ("train_points", "test_points"):
            if key in notes:
                notes[key] = sum(int(p[4][key]) for p in parts)
    notes.update({"backend": "dask", "partitions": partitions})
    return EvaluationResult(
        protocol,
        int(options["horizon"]) if options.get("horizon") is not None else 0,
        _result_order(pd.concat(scores, ignore_index=True), order, position,
                      series_first=protocol == "holdout"),
        _result_order(pd.concat(forecasts, ignore_index=True), order, position),
        out_train, out_test, fitted, notes,
    )


def _dispatch(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def _source(data: Any, read: ReadOptions) -> tuple[pd.DataFrame | None, list[str]]:
    """(the canonical frame, the series ids in its order); for a Parquet dataset only the
    ids (sorted, as `read_series` orders them): the workers read their own blocks."""
    if is_parquet(data):
        return None, parquet_ids(data)
    frame = read.read(data)
    return frame, list(pd.unique(frame["unique_id"]))


def _part(data: Any, frame: pd.DataFrame | None, ids: list[str] | None) -> Any:
    """What a task gets: its block of the frame, or a reference to its block of the
    Parquet dataset (``ids`` None: every series)."""
    if frame is None:
        return ("parquet", str(data), ids)
    return frame if ids is None else _block(frame, ids)


def _resolve(part: Any, read: ReadOptions) -> pd.DataFrame:
    """A task's frame, reading its Parquet block on the worker when given a reference."""
    if isinstance(part, tuple):
        _, path, ids = part
        return read_parquet_series(path, ids=ids, fill=read.fill)
    return part


def _block(frame: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    return frame[frame["unique_id"].isin(ids)].reset_index(drop=True)


def _series_order(frame: pd.DataFrame, position: dict[str, int]) -> pd.DataFrame:
    key = frame["unique_id"].map(position).to_numpy()
    return frame.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def _result_order(frame: pd.DataFrame, order: dict[str, int], position: dict[str, int],
                  series_first: bool = False) -> pd.DataFrame:
    """Rows in the single-process order: model (as listed), seed, window, series (holdout
    scores: series first); rows of one (model, seed, window, series) keep their order (the
    forecast's time order)."""
    keys = [frame["model"].map(order).to_numpy(), frame["seed"].to_numpy()]
    if "window" in frame.columns:
        keys.append(frame["window"].to_numpy())
    series = frame["unique_id"].map(position).to_numpy()
    keys = [series, *keys] if series_first else [*keys, series]
    index = np.lexsort(tuple(reversed(keys)))  # lexsort is stable; last key is primary
    return frame.iloc[index].reset_index(drop=True)


# -------------------------------------------------------------------------- predict


def _model_bytes(model: Forecaster | str | os.PathLike[str]) -> bytes:
    """The model as model-file bytes: what workers receive (the file format, no pickle)."""
    if isinstance(model, (str, os.PathLike)):
        return Path(model).read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.rnnf"
        model.save(path)
        return path.read_bytes()


def _load(blob: bytes) -> Forecaster:
    from rnnforecast.forecaster import Forecaster

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.rnnf"
        path.write_bytes(blob)
        return Forecaster.load(path)


def _predict_task(blob: bytes, ids: list[str], data: Any,
                  horizon: int | None) -> pd.DataFrame:
    forecaster = _load(blob)
    if data is None:
        forecaster.series_ = {u: forecaster.series_[u] for u in ids}
        return forecaster.predict(horizon=horizon)
    frame = _resolve(data, ReadOptions(fill=forecaster.fill))
    return forecaster.predict(horizon=horizon, data=frame)


def predict_partitioned(
    model: Forecaster | str | os.PathLike[str],
    data: Any = None,
    *,
    horizon: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    partitions: int | None = None,
) -> pd.DataFrame:
    """``model.predict(horizon, data)`` computed block by block on Dask workers (the model
    travels as its file's bytes); the rows are those of the single-process call, in its
    order."""
    blob = _model_bytes(model)
    forecaster = _load(blob)
    frame = None
    if data is not None:
        frame, ids = _source(data, ReadOptions(fill=forecaster.fill))
    else:
        ids = list(forecaster.series_)
    with _runner(client, scheduler) as runner:
        blocks = partition_ids(ids, partitions or 2 * runner.workers)
        blob_future = runner.client.scatter(blob, broadcast=True)
        calls = [(_predict_task, blob_future, b, None if data is None else _part(data, frame, b),
                  horizon) for b in blocks]
        parts = runner.map(_dispatch, calls)
    return pd.concat(parts, ignore_index=True)


def evaluate_on_backend(backend: str, scheduler: str | None, data: Any, models: Any, *,
                        read: ReadOptions, **options: Any) -> EvaluationResult:
    """`run_protocol`'s entry for ``backend=`` other than "local" (or a ``scheduler``)."""
    if backend not in BACKENDS:
        raise ConfigError(f"backend={backend!r} is invalid: use one of {', '.join(BACKENDS)}")
    if backend == "local":
        raise ConfigError("a scheduler address needs backend='dask' (--backend dask)")
    return _run_partitioned(data, models, read=read, scheduler=scheduler, **options)
