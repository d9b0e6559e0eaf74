"""Partitioned Parquet input, read by series groups (pyarrow; ``rnnforecast[scale]``).

A panel larger than memory is kept as a Parquet dataset (one file, or a folder of files,
hive-partitioned or not) in long form ``unique_id, ds, y``. Nothing here loads it whole:
`parquet_ids` reads the id column only, and `read_parquet_series` reads the rows of the
series asked for (a pyarrow filter: row groups whose id range misses them are skipped), so
batch prediction streams the panel group by group (`predict_parquet`) and each rank of a
data-parallel fit reads only its block. Every group still goes through `read_series`, the one
place that validates data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from rnnforecast.errors import DataError, require

__all__ = ["is_parquet", "iter_parquet_groups", "parquet_ids", "predict_parquet",
           "read_parquet_series", "write_parquet_panel"]

_COLUMNS = ("unique_id", "ds", "y")


class Predictor(Protocol):
    """What `predict_parquet` needs of a model: a fitted `rnnforecast.Forecaster`, or a
    combination around one."""

    @property
    def fill(self) -> Any: ...

    def predict(self, horizon: int | None = None, data: Any = None) -> pd.DataFrame: ...


def is_parquet(data: Any) -> bool:
    """True for a path to a ``.parquet`` file or to a folder holding Parquet files."""
    if not isinstance(data, (str, os.PathLike)):
        return False
    path = Path(data)
    if path.is_dir():
        return any(path.rglob("*.parquet"))
    return path.suffix.lower() in (".parquet", ".pq")


def _dataset(path: str | os.PathLike[str]) -> Any:
    require("pyarrow", "reading a Parquet dataset")
    import pyarrow.dataset as pads

    if not Path(path).exists():
        raise DataError(f"{path}: no such Parquet file or folder")
    ds = pads.dataset(str(path), format="parquet", partitioning="hive")
    missing = [c for c in _COLUMNS if c not in ds.schema.names]
    if missing:
        raise DataError(f"{path}: the Parquet dataset lacks column(s) {', '.join(missing)}; "
                        "write it in long form with columns unique_id, ds, y")
    return ds


def parquet_ids(path: str | os.PathLike[str]) -> list[str]:
    """The sorted series ids of the dataset (reads the ``unique_id`` column only, batch by
    batch, keeping the distinct values)."""
    ds = _dataset(path)
    import pyarrow.compute as pc

    seen: set[str] = set()
    for batch in ds.to_batches(columns=["unique_id"]):
        seen.update(str(v) for v in pc.unique(batch.column(0)).to_pylist())
    return sorted(seen)


def read_parquet_series(path: str | os.PathLike[str], ids: Sequence[str] | None = None,
                        fill: Any = None) -> pd.DataFrame:
    """The canonical frame of the series ``ids`` (all series when None)."""
    ds = _dataset(path)  # first: without pyarrow, the error that names the extra
    import pyarrow as pa
    import pyarrow.compute as pc

    if ids is None:
        table = ds.to_table(columns=list(_COLUMNS))
    else:
        id_type = ds.schema.field("unique_id").type
        wanted = pa.array(list(ids)).cast(id_type) if pa.types.is_string(id_type) \
            else pa.array([type_cast(v, id_type) for v in ids], type=id_type)
        table = ds.to_table(columns=list(_COLUMNS), filter=pc.field("unique_id").isin(wanted))
    if table.num_rows == 0:
        raise DataError(f"{path}: no rows for the series asked for")
    frame = table.to_pandas()
    frame["unique_id"] = frame["unique_id"].astype(str)
    from rnnforecast.data.reader import read_series

    return read_series(frame, fill=fill)


def type_cast(value: str, id_type: Any) -> Any:
    """A string id back to the dataset's id type (integer ids)."""
    import pyarrow as pa

    return int(value) if pa.types.is_integer(id_type) else value


def iter_parquet_groups(path: str | os.PathLike[str], group_size: int = 10_000,
                        fill: Any = None) -> Iterator[pd.DataFrame]:
    """Canonical frames of ``group_size`` series at a time, in sorted id order."""
    ids = parquet_ids(path)
    for start in range(0, len(ids), group_size):
        yield read_parquet_series(path, ids[start: start + group_size], fill=fill)


def predict_parquet(forecaster: Predictor, path: str | os.PathLike[str],
                    out: str | os.PathLike[str], *, horizon: int | None = None,
                    group_size: int = 10_000) -> int:
    """Forecast every series of a Parquet dataset from its end, ``group_size`` series at a
    time, appending to the CSV ``out`` (written atomically); returns the rows written. The
    rows are those of ``forecaster.predict(data=<whole panel>)``, in sorted id order."""
    from rnnforecast.io.atomic import atomic_path

    rows = 0
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        for group in iter_parquet_groups(path, group_size, fill=forecaster.fill):
            fc = forecaster.predict(horizon=horizon, data=group)
            fc.to_csv(handle, index=False, header=rows == 0)
            rows += len(fc)
    return rows


def write_parquet_panel(frame: pd.DataFrame, path: str | os.PathLike[str],
                        files: int = 4, row_group_size: int = 100_000) -> None:
    """Write a long frame as a folder of ``files`` Parquet files of whole series (sorted by
    id, so each file's and row group's id range is narrow and filters skip them)."""
    require("pyarrow", "writing a Parquet dataset")
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = frame.sort_values(["unique_id", "ds"], kind="stable")
    ids = pd.unique(frame["unique_id"])
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        part = ids[i * len(ids) // files: (i + 1) * len(ids) // files]
        if len(part) == 0:
            continue
        rows = frame[frame["unique_id"].isin(part)]
        table = pa.Table.from_pandas(rows[list(_COLUMNS)], preserve_index=False)
        pq.write_table(table, folder / f"part-{i:05d}.parquet", row_group_size=row_group_size)
