"""The model file: exact save/load, atomic writes, and every bad file refused without running
any of its content."""

from __future__ import annotations

import hashlib
import os
import pathlib
import pickle
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from rnnforecast import ConfigError, Forecaster, ModelFileError, load_dataset
from rnnforecast.io import FORMAT_VERSION, atomic_write_bytes, read_model_file, write_model_file
from rnnforecast.io import atomic as atomic_module
from rnnforecast.io.modelfile import MAGIC

torch.set_num_threads(1)

DATA = Path(__file__).parent / "data"
FAST = {"hidden_size": 4, "epochs": 3, "ensemble": 2, "guard": False}


@pytest.fixture(scope="module")
def fitted(core_air_train: pd.DataFrame) -> Forecaster:
    return Forecaster("gru", horizon=6, **FAST).fit(core_air_train)


@pytest.fixture
def model_file(fitted: Forecaster, tmp_path: Path) -> Path:
    path = tmp_path / "model.rnnf"
    fitted.save(path)
    return path


def rewrite_checksum(body: bytes) -> bytes:
    return body + hashlib.sha256(body).digest()


def assert_refused(path: Path, match: str = "") -> ModelFileError:
    with pytest.raises(ModelFileError, match=match) as info:
        Forecaster.load(path)
    assert str(path) in str(info.value)  # names the file
    return info.value


# -------------------------------------------------------------- low-level format


def test_write_read_round_trip(tmp_path: Path) -> None:
    tensors = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b": np.array([1.5, -2.25], dtype=np.float64),
        "c": np.array(7, dtype=np.int64),  # 0-d
        "d": np.zeros((0, 4), dtype=np.float32),  # empty
        "e": np.arange(12, dtype=np.float64).reshape(3, 4)[:, ::2],  # not contiguous
    }
    meta = {"name": "x", "nested": {"list": [1, 2.5, None]}, "text": "é"}
    path = tmp_path / "f.rnnf"
    write_model_file(path, meta, tensors)
    raw = path.read_bytes()
    assert raw[:8] == MAGIC
    assert struct.unpack_from("<I", raw, 8)[0] == FORMAT_VERSION == 1
    assert hashlib.sha256(raw[:-32]).digest() == raw[-32:]
    meta_back, tensors_back = read_model_file(path)
    assert meta_back == meta
    assert tensors_back.keys() == tensors.keys()
    for name, array in tensors.items():
        assert tensors_back[name].dtype == array.dtype
        assert np.array_equal(tensors_back[name], array), name
        assert tensors_back[name].flags.writeable  # a copy, not a view of the file buffer


def test_unsupported_dtype_and_non_json_meta(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="unsupported dtype"):
        write_model_file(tmp_path / "f", {}, {"x": np.array(["a"])})
    with pytest.raises(ValueError):
        write_model_file(tmp_path / "g", {"bad": float("nan")}, {})
    assert not (tmp_path / "f").exists() and not (tmp_path / "g").exists()


def test_tensor_outside_the_payload_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.rnnf"
    write_model_file(path, {"k": 1}, {"a": np.arange(4, dtype=np.float64)})
    raw = path.read_bytes()
    _, version, header_len = struct.unpack_from("<8sIQ", raw)
    header = raw[20 : 20 + header_len].decode()
    forged = header.replace('"nbytes": 32', '"nbytes": 3200').encode()
    body = struct.pack("<8sIQ", MAGIC, version, len(forged)) + forged + raw[20 + header_len : -32]
    path.write_bytes(rewrite_checksum(body))
    with pytest.raises(ModelFileError, match="header is invalid"):
        read_model_file(path)


# ------------------------------------------------------------------- save / load


def test_save_load_predict_identical(fitted: Forecaster, model_file: Path,
                                     core_air: pd.DataFrame) -> None:
    loaded = Forecaster.load(model_file)
    a, b = fitted.predict(), loaded.predict()
    pd.testing.assert_frame_equal(a, b)
    assert np.array_equal(a["gru"].to_numpy(), b["gru"].to_numpy())
    assert np.array_equal(fitted.predict(horizon=2)["gru"], loaded.predict(horizon=2)["gru"])
    new = core_air.iloc[:130]
    assert np.array_equal(fitted.predict(data=new)["gru"], loaded.predict(data=new)["gru"])
    assert loaded.get_params() == fitted.get_params()
    assert loaded.series_ == fitted.series_
    assert loaded.freq_ == fitted.freq_ and loaded.lookback_ == fitted.lookback_
    assert loaded.history_.keys() == fitted.history_.keys()
    for key in fitted.history_:
        assert np.array_equal(loaded.history_[key], fitted.history_[key], equal_nan=True)
    assert loaded.info() == fitted.info()


@pytest.mark.parametrize(
    "params",
    [{"strategy": "recursive", "model": "rnn"}, {"patience": 2, "num_layers": 2, "dropout": 0.3}],
    ids=["recursive", "stacked-with-validation"],
)
def test_save_load_other_settings(params: dict[str, object], tmp_path: Path,
                                  core_air_train: pd.DataFrame) -> None:
    model = Forecaster(horizon=4, **{**FAST, **params}).fit(core_air_train)  # type: ignore[arg-type]
    model.save(tmp_path / "m.rnnf")
    loaded = Forecaster.load(tmp_path / "m.rnnf")
    pd.testing.assert_frame_equal(model.predict(horizon=4), loaded.predict(horizon=4))


def test_save_load_integer_indexed_multi_series(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "unique_id": ["a"] * 30 + ["b"] * 25,
        "ds": list(range(1, 31)) + list(range(1, 26)),
        "y": np.r_[np.arange(30.0), np.sin(np.arange(25.0))],
    })
    model = Forecaster("lstm", horizon=3, **FAST).fit(frame)
    model.save(tmp_path / "m.rnnf")
    loaded = Forecaster.load(tmp_path / "m.rnnf")
    forecast = loaded.predict()
    pd.testing.assert_frame_equal(model.predict(), forecast)
    assert forecast["ds"].tolist() == [31, 32, 33, 26, 27, 28]


def test_save_before_fit_is_refused(tmp_path: Path) -> None:
    from rnnforecast import ConfigError

    with pytest.raises(ConfigError, match="not fitted"):
        Forecaster(horizon=3).save(tmp_path / "m.rnnf")
    assert not (tmp_path / "m.rnnf").exists()


# ---------------------------------------------------------------------- atomicity


def test_save_leaves_no_temporary_files(fitted: Forecaster, tmp_path: Path) -> None:
    target = tmp_path / "sub" / "model.rnnf"
    fitted.save(target)  # creates the folder too
    fitted.save(target)  # and overwrites in place
    assert [p.name for p in target.parent.iterdir()] == ["model.rnnf"]


def test_failed_rename_keeps_the_old_file(fitted: Forecaster, model_file: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    original = model_file.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("simulated failure while renaming")

    monkeypatch.setattr(atomic_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="simulated"):
        fitted.save(model_file)
    assert model_file.read_bytes() == original
    assert [p.name for p in model_file.parent.iterdir()] == ["model.rnnf"]


def test_disk_full_midway_keeps_the_old_file(fitted: Forecaster, model_file: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    original = model_file.read_bytes()
    real_write = pathlib.Path.write_bytes

    def half_then_fail(self: pathlib.Path, data: bytes) -> int:  # type: ignore[override]
        real_write(self, bytes(data)[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_bytes", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        fitted.save(model_file)
    monkeypatch.undo()
    assert model_file.read_bytes() == original
    assert [p.name for p in model_file.parent.iterdir()] == ["model.rnnf"]
    assert Forecaster.load(model_file).predict().shape == (6, 3)


def test_interrupt_during_write_keeps_the_old_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def interrupted(self: pathlib.Path, data: bytes) -> int:  # type: ignore[override]
        raise KeyboardInterrupt

    monkeypatch.setattr(pathlib.Path, "write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


# ------------------------------------------------------------------ bad files


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert_refused(tmp_path / "none.rnnf", "not found")
    with pytest.raises(ModelFileError, match="directory"):
        Forecaster.load(tmp_path)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.rnnf"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert_refused(path, "not an rnnforecast model file")
    path.write_bytes(b"")
    assert_refused(path, "not an rnnforecast model file")


def test_truncated_file(model_file: Path) -> None:
    raw = model_file.read_bytes()
    model_file.write_bytes(raw[: len(raw) // 2])
    assert_refused(model_file, "truncated")
    model_file.write_bytes(raw[:-1])  # one byte short: caught by the checksum
    assert_refused(model_file, "corrupted or truncated")
    model_file.write_bytes(raw[:20])  # the fixed prefix only
    assert_refused(model_file, "truncated")


@pytest.mark.parametrize("where", ["payload", "header", "checksum"])
def test_one_flipped_byte(model_file: Path, where: str) -> None:
    raw = bytearray(model_file.read_bytes())
    header_len = struct.unpack_from("<Q", raw, 12)[0]
    position = {"payload": len(raw) - 32 - 7, "header": 20 + header_len // 2,
                "checksum": len(raw) - 5}[where]
    raw[position] ^= 0x01
    model_file.write_bytes(bytes(raw))
    assert_refused(model_file, "checksum mismatch")


def test_newer_format_version(model_file: Path) -> None:
    raw = model_file.read_bytes()
    body = bytearray(raw[:-32])
    struct.pack_into("<I", body, 8, FORMAT_VERSION + 1)
    model_file.write_bytes(rewrite_checksum(bytes(body)))  # intact apart from the version
    error = assert_refused(model_file, "newer than this rnnforecast reads")
    assert f"format {FORMAT_VERSION + 1}" in str(error)
    assert "upgrade" in str(error)


def test_version_zero(model_file: Path) -> None:
    body = bytearray(model_file.read_bytes()[:-32])
    struct.pack_into("<I", body, 8, 0)
    model_file.write_bytes(rewrite_checksum(bytes(body)))
    assert_refused(model_file, "unknown model file format version 0")


def test_intact_file_with_wrong_content(tmp_path: Path, fitted: Forecaster,
                                        model_file: Path) -> None:
    meta, tensors = read_model_file(model_file)
    other = tmp_path / "other.rnnf"
    write_model_file(other, {**meta, "library": "somethingelse"}, tensors)
    assert_refused(other, "content is invalid")
    write_model_file(other, {k: v for k, v in meta.items() if k != "fitted"}, tensors)
    assert_refused(other, "content is invalid")
    bad_params = {**meta, "params": {**meta["params"], "model": "xyz"}}
    write_model_file(other, bad_params, tensors)
    assert_refused(other, "content is invalid")
    wrong_shape = dict(tensors)
    wrong_shape["head_bias"] = np.zeros((9, 9), dtype=np.float32)
    write_model_file(other, meta, wrong_shape)
    assert_refused(other, "content is invalid")
    missing = {k: v for k, v in tensors.items() if k != "head_bias"}
    write_model_file(other, meta, missing)
    assert_refused(other, "content is invalid")


class _Touch:
    """Unpickling this object creates ``path`` (as a malicious model file would run code)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def test_pickle_is_refused_and_never_executed(tmp_path: Path) -> None:
    # premise: this pickle really does run code when unpickled
    premise = tmp_path / "premise"
    pickle.loads(pickle.dumps(_Touch(premise)))
    assert premise.exists()

    marker = tmp_path / "pwned"
    plain = tmp_path / "plain.rnnf"
    plain.write_bytes(pickle.dumps({"state": _Touch(marker)}))
    assert_refused(plain, "not an rnnforecast model file")

    torch_file = tmp_path / "torch.pt"  # torch.save's zip container around a pickle
    torch.save({"state": _Touch(marker)}, torch_file)
    assert_refused(torch_file, "not an rnnforecast model file")

    disguised = tmp_path / "disguised.rnnf"  # our signature, then a pickle
    payload = pickle.dumps(_Touch(marker))
    body = struct.pack("<8sIQ", MAGIC, FORMAT_VERSION, 0) + payload
    disguised.write_bytes(rewrite_checksum(body))
    assert_refused(disguised, "checksum mismatch|header is invalid")

    assert not marker.exists()
    assert not os.path.exists(Path.cwd() / "pwned")


def test_pickle_inside_a_json_header_is_just_data(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "m.rnnf"
    blob = pickle.dumps(_Touch(marker)).hex()
    write_model_file(path, {"library": "rnnforecast", "params": {"horizon": 2}, "blob": blob}, {})
    assert_refused(path, "content is invalid")
    assert not marker.exists()


# --------------------------------------------------------------- compatibility


def test_format_1_fixture_still_loads_and_forecasts_the_same() -> None:
    """tests/data/model-v1.rnnf was written by rnnforecast 0.1.0 (make_model_v1.py)."""
    model = Forecaster.load(DATA / "model-v1.rnnf")
    assert model.model == "lstm" and model.horizon == 6 and model.hidden_size == 4
    forecast = model.predict()
    expected = pd.read_csv(DATA / "model-v1-forecast.csv", parse_dates=["ds"])
    assert np.isfinite(forecast["lstm"]).all()
    assert forecast["unique_id"].tolist() == expected["unique_id"].tolist()
    assert forecast["ds"].tolist() == expected["ds"].tolist()
    assert forecast["ds"].iloc[0] == pd.Timestamp("1961-01-01")
    np.testing.assert_allclose(forecast["lstm"].to_numpy(), expected["lstm"].to_numpy(),
                               rtol=1e-9, atol=0)
    # and it keeps forecasting from new data
    more = model.predict(data=load_dataset("airpassengers").iloc[:100])
    assert np.isfinite(more["lstm"]).all()


def test_a_model_loaded_without_its_network_describes_itself_without_torch(
        tmp_path: Path) -> None:
    import subprocess
    import sys

    data = load_dataset("airpassengers").iloc[:60]
    model = Forecaster(horizon=6, **FAST).fit(data)
    path = tmp_path / "m.rnnf"
    model.save(path)
    light = Forecaster.load(path, network=False)
    assert light.info() == model.info()
    for call in (light.predict, lambda: light.save(tmp_path / "n.rnnf"),
                 lambda: light.fit(data, warm_start=True)):
        with pytest.raises(ConfigError, match=r"network|fitted model"):
            call()
    probe = ("import sys; from rnnforecast import Forecaster; "
             f"Forecaster.load({str(path)!r}, network=False).info(); "
             "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
