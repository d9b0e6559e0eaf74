"""The model file: one JSON document and raw tensors, with a checksum. Loading runs no code.

Layout (little-endian)::

    b"RNNFCAST"  magic, 8 bytes
    uint32       format version
    uint64       length of the JSON header in bytes
    JSON header  {"meta": {...}, "tensors": {name: {dtype, shape, offset, nbytes}}}
    payload      the tensors' raw bytes, at the offsets named in the header
    32 bytes     sha256 of everything above

Tensors are decoded with ``numpy.frombuffer`` from a fixed set of dtypes, so a file can at
worst be refused, never executed (unlike pickle, which ``torch.save`` uses).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

from rnnforecast.errors import ModelFileError
from rnnforecast.io.atomic import atomic_write_bytes

MAGIC = b"RNNFCAST"
FORMAT_VERSION = 1
_PREFIX = struct.Struct("<8sIQ")
_DIGEST = 32
_DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64,
           "uint8": np.uint8}


def write_model_file(
    path: str | os.PathLike[str], meta: dict[str, Any], tensors: dict[str, np.ndarray]
) -> None:
    """Write ``meta`` (JSON-serialisable) and ``tensors`` atomically to ``path``."""
    table: dict[str, dict[str, Any]] = {}
    chunks: list[bytes] = []
    offset = 0
    for name, array in tensors.items():
        # ascontiguousarray turns a 0-d array into shape (1,): keep the original shape
        arr = np.ascontiguousarray(array).reshape(np.shape(array))
        dtype = arr.dtype.name
        if dtype not in _DTYPES:
            raise TypeError(f"tensor '{name}' has unsupported dtype {dtype}")
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        table[name] = {"dtype": dtype, "shape": list(arr.shape), "offset": offset,
                       "nbytes": len(raw)}
        chunks.append(raw)
        offset += len(raw)
    header = json.dumps({"meta": meta, "tensors": table}, allow_nan=False).encode("utf-8")
    body = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(header)) + header + b"".join(chunks)
    atomic_write_bytes(path, body + hashlib.sha256(body).digest())


def read_model_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a model file; any file that is not a complete, intact model of a known format
    version raises `ModelFileError` saying which."""
    p = Path(path)
    if not p.exists():
        raise ModelFileError(f"{p}: model file not found")
    if p.is_dir():
        raise ModelFileError(f"{p}: is a directory, expected a model file")
    raw = p.read_bytes()
    if len(raw) < _PREFIX.size or raw[:8] != MAGIC:
        raise ModelFileError(
            f"{p}: not an rnnforecast model file (no RNNFCAST signature); "
            "give a file written by Forecaster.save or `rnnforecast fit --save`"
        )
    _, version, header_len = _PREFIX.unpack_from(raw)
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{p}: model file format {version} is newer than this rnnforecast reads "
            f"(format {FORMAT_VERSION}); upgrade rnnforecast to a release that reads "
            f"format {version}"
        )
    if version < 1:
        raise ModelFileError(f"{p}: unknown model file format version {version}")
    if len(raw) < _PREFIX.size + header_len + _DIGEST:
        raise ModelFileError(f"{p}: the model file is truncated ({len(raw)} bytes)")
    body, digest = raw[:-_DIGEST], raw[-_DIGEST:]
    if hashlib.sha256(body).digest() != digest:
        raise ModelFileError(
            f"{p}: the model file is corrupted or truncated (checksum mismatch); "
            "save the model again"
        )
    try:
        header = json.loads(body[_PREFIX.size : _PREFIX.size + header_len].decode("utf-8"))
        meta, table = header["meta"], header["tensors"]
        payload = body[_PREFIX.size + header_len :]
        tensors = {name: _decode(name, spec, payload) for name, spec in table.items()}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{p}: the model file's header is invalid ({exc})") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"{p}: the model file's header is invalid (meta is not a mapping)")
    return meta, tensors


def _decode(name: str, spec: dict[str, Any], payload: bytes) -> np.ndarray:
    dtype = np.dtype(_DTYPES[spec["dtype"]]).newbyteorder("<")
    shape = tuple(int(s) for s in spec["shape"])
    offset, nbytes = int(spec["offset"]), int(spec["nbytes"])
    count = int(np.prod(shape)) if shape else 1
    if offset < 0 or offset + nbytes > len(payload) or count * dtype.itemsize != nbytes:
        raise ValueError(f"tensor '{name}' lies outside the file")
    return np.frombuffer(payload, dtype=dtype, count=count, offset=offset).reshape(shape).copy()
