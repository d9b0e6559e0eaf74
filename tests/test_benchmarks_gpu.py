"""benchmarks/gpu.py runs on a machine without a GPU: it measures the CPU, says no GPU was
found and exits 0 (its GPU half runs only where CUDA exists)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "gpu.py"


def test_cpu_path_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    spec = importlib.util.spec_from_file_location("gpu_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "gpu.json"
    assert module.main(["--synthetic", "--cpu-series", "2", "--series", "2", "--epochs", "1",
                        "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "no GPU found" in printed
    result = json.loads(out.read_text())
    assert result["gpu"] is None
    [cpu] = result["runs"]
    assert cpu["device"] == "cpu" and cpu["series"] == 2 and cpu["windows"] > 0
    assert cpu["windows_per_s"] > 0
