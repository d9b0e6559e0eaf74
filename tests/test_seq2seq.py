"""The encoder-decoder: shapes, a causal decoder, members that stay independent, and
``Forecaster(model="seq2seq")`` through fit, predict, save/load and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from rnnforecast import Forecaster, load_dataset
from rnnforecast.cli import app
from rnnforecast.errors import ConfigError
from rnnforecast.models import Seq2SeqNet

FAST: dict[str, Any] = {"epochs": 5, "hidden_size": 4, "ensemble": 2, "guard": False}


def net(cell: str = "gru", members: int = 2, blocks: int = 1) -> Seq2SeqNet:
    torch.manual_seed(0)
    # channels: value, flag, one past column, two future columns
    return Seq2SeqNet(cell, 5, 4, 2, 3, decoder_from=3, members=members, blocks=blocks)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_output_shape_and_block_layout(cell: str) -> None:
    x = torch.randn(7, 10 + 3, 5)
    assert net(cell)(x).shape == (2, 7, 3)
    two = net(cell, blocks=2)
    out = two(x)
    assert out.shape == (2, 7, 6)
    # the first block is the point head's output at every step
    two.head_weight.data[:, :, 1] = 0.0
    two.head_bias.data[:, 1] = 0.0
    assert torch.equal(two(x)[:, :, 3:], torch.zeros(2, 7, 3))


def test_decoder_is_causal_and_reads_only_future_channels() -> None:
    model = net().eval()
    x = torch.randn(4, 13, 5)
    base = model(x)
    later = x.clone()
    later[:, 11, 3:] += 1.0  # a future input at horizon step 1 (steps 10, 11, 12 are 0, 1, 2)
    changed = model(later)
    assert torch.equal(changed[:, :, 0], base[:, :, 0])
    assert not torch.equal(changed[:, :, 1], base[:, :, 1])
    ignored = x.clone()
    ignored[:, 10:, :3] += 1.0  # value, flag, past channels over the horizon: not read
    assert torch.equal(model(ignored), base)


def test_members_never_exchange_information() -> None:
    model = net()
    x = torch.randn(5, 13, 5)
    out = model(x)
    out[0].pow(2).sum().backward()  # member 0's loss
    owners = model.member_of()
    for name, param in model.named_parameters():
        assert param.grad is None or not bool(param.grad[owners[name] == 1].any()), name
    with torch.no_grad():  # changing member 1 leaves member 0's output alone
        for name, param in model.named_parameters():
            param[owners[name] == 1] += 0.5
    assert torch.equal(model(x)[0], out[0].detach())
    assert not torch.equal(model(x)[1], out[1].detach())


def test_fit_predict_save_load(tmp_path: Path) -> None:
    air = load_dataset("airpassengers")
    f = Forecaster("seq2seq", horizon=12, cell="gru", **FAST).fit(air.iloc[:120])
    forecast = f.predict()
    assert list(forecast.columns) == ["unique_id", "ds", "seq2seq"]
    assert len(forecast) == 12 and np.all(np.isfinite(forecast["seq2seq"]))
    assert isinstance(f.net_, Seq2SeqNet) and f.net_.cell == "gru"
    assert len(f.predict(horizon=5)) == 5
    f.save(tmp_path / "s.rnnf")
    loaded = Forecaster.load(tmp_path / "s.rnnf")
    pd.testing.assert_frame_equal(loaded.predict(), forecast)
    assert loaded.info()["model"] == "seq2seq"


def test_members_stay_independent_through_training() -> None:
    air = load_dataset("airpassengers").iloc[:120]
    f = Forecaster("seq2seq", horizon=6, epochs=3, hidden_size=4, ensemble=2).fit(air)
    model = f.net_.eval()
    assert model.members == 2
    x = torch.randn(3, f.lookback_ + 6, 2)
    with torch.no_grad():
        before = model(x)
        owners = model.member_of()
        for name, param in model.named_parameters():  # the cross-member blocks stayed zero
            param[owners[name] == 1] += 0.5
        after = model(x)
    assert torch.equal(after[0], before[0]) and not torch.equal(after[1], before[1])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"strategy": "recursive"}, "strategy='direct'"),
    ({"cell": "tcn"}, "cell='tcn' is invalid"),
])
def test_invalid_settings(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Forecaster("seq2seq", horizon=3, **kwargs).fit(np.arange(40.0))  # type: ignore[arg-type]


def test_command_line_fit_and_predict(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    ds = pd.date_range("2022-01-01", periods=60, freq="D")
    promo = (rng.random(60) < 0.3).astype(float)
    frame = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 50 + 20 * promo, "promo": promo,
                          "temp": rng.normal(size=60)})
    frame.iloc[:54].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[54:][["unique_id", "ds", "promo"]].to_csv(tmp_path / "future.csv", index=False)
    model = tmp_path / "m.rnnf"
    runner = CliRunner()
    fit = runner.invoke(app, ["fit", str(tmp_path / "train.csv"), "--horizon", "6", "--save",
                              str(model), "--model", "seq2seq", "--cell", "gru",
                              "--future-cols", "promo,calendar", "--past-cols", "temp",
                              "--embedding", "2", "--epochs", "3", "--hidden-size", "4"])
    assert fit.exit_code == 0, fit.output
    out = runner.invoke(app, ["predict", str(model), "--future", str(tmp_path / "future.csv")])
    assert out.exit_code == 0, out.output
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "unique_id,ds,seq2seq" and len(lines) == 7
    missing = runner.invoke(app, ["predict", str(model)])
    assert missing.exit_code == 2
    assert "--future FILE" in missing.output and "promo" in missing.output
