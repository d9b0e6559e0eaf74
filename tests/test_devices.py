"""Devices and precision: "auto" is the CPU on a machine without CUDA (and bit-identical to
"cpu"), a wrong device is a ConfigError, bf16 is a no-op on the CPU, and a model trained on a
GPU (its file says device="cuda") loads and predicts on a CPU-only machine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from rnnforecast import ConfigError, Forecaster
from rnnforecast.io import read_model_file, write_model_file
from rnnforecast.training.devices import autocast, check_device, resolve_device

SMALL = {"horizon": 6, "hidden_size": 4, "epochs": 5, "ensemble": 2}


def test_default_device_is_auto() -> None:
    assert Forecaster(horizon=3).device == "auto"


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:0", "cuda:12"])
def test_valid_devices_pass(device: str) -> None:
    check_device(device, "fp32")


@pytest.mark.parametrize(("device", "precision"), [("gpu", "fp32"), ("cuda:", "fp32"),
                                                   ("CPU", "fp32"), (0, "fp32"),
                                                   ("cpu", "fp16"), ("cpu", "bf32")])
def test_invalid_device_or_precision_is_config_error(device: object, precision: str,
                                                     core_air_train: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match=r"device=|precision="):
        Forecaster(**SMALL, device=device, precision=precision).fit(core_air_train)


def test_auto_is_cpu_without_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("cpu") == torch.device("cpu")


def test_auto_takes_one_gpu_the_local_ranks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    assert resolve_device("auto") == torch.device("cuda:0")
    monkeypatch.setenv("LOCAL_RANK", "2")
    assert resolve_device("auto") == torch.device("cuda:2")
    assert resolve_device("cuda:3") == torch.device("cuda:3")
    with pytest.raises(ConfigError, match="only 4 GPU"):
        resolve_device("cuda:7")


def test_cuda_without_cuda(monkeypatch: pytest.MonkeyPatch, core_air_train: pd.DataFrame) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        Forecaster(**SMALL, device="cuda").fit(core_air_train)
    assert resolve_device("cuda:1", strict=False) == torch.device("cpu")


def test_auto_and_bf16_on_cpu_are_bit_identical_to_cpu_fp32(core_air_train: pd.DataFrame,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              ) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    base = Forecaster(**SMALL, device="cpu").fit(core_air_train).predict()
    auto = Forecaster(**SMALL, device="auto", precision="bf16").fit(core_air_train).predict()
    pd.testing.assert_frame_equal(base, auto, check_exact=True)


def test_autocast_is_noop_on_cpu() -> None:
    with autocast(torch.device("cpu"), "bf16"):
        assert not torch.is_autocast_enabled("cuda")
        out = torch.ones(2, 2) @ torch.ones(2, 2)
    assert out.dtype == torch.float32


def test_gpu_trained_model_file_predicts_on_cpu(tmp_path: Path, core_air_train: pd.DataFrame,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The file format does not depend on the device: a file whose params say "cuda" (as one
    written on a GPU machine does) loads on a machine without CUDA and predicts the same."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    fitted = Forecaster(**SMALL, device="cpu").fit(core_air_train)
    fitted.save(tmp_path / "cpu.rnnf")
    meta, tensors = read_model_file(tmp_path / "cpu.rnnf")
    meta["params"]["device"] = "cuda"
    meta["params"]["precision"] = "bf16"
    write_model_file(tmp_path / "gpu.rnnf", meta, tensors)
    loaded = Forecaster.load(tmp_path / "gpu.rnnf")
    assert loaded.device == "cuda"
    assert next(loaded.net_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(loaded.predict()["lstm"], fitted.predict()["lstm"])
