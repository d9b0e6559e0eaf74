"""The learned series embedding: per-member tables that never mix, the mean vector for
series not seen in training, and a round trip through save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from rnnforecast import Forecaster
from rnnforecast.errors import ConfigError
from rnnforecast.models import DirectNet, Seq2SeqNet, SeriesEmbedding

H = 4


def panel(n_series: int = 5, length: int = 48) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    t = np.arange(length)
    frames = []
    for i in range(n_series):
        y = 100 * (i + 1) + 10 * np.sin(2 * np.pi * t / 12 + i) + rng.normal(0, 1, length)
        frames.append(pd.DataFrame({"unique_id": f"u{i}", "ds": t, "y": y}))
    return pd.concat(frames, ignore_index=True)


def test_unknown_series_get_the_mean_vector() -> None:
    torch.manual_seed(0)
    emb = SeriesEmbedding(series=3, width=2, members=2)
    out = emb(torch.tensor([0.0, 2.0, -1.0]))
    assert out.shape == (3, 4)
    assert torch.equal(out[0], emb.table[0]) and torch.equal(out[1], emb.table[2])
    assert torch.allclose(out[2], emb.table.mean(dim=0))


@pytest.mark.parametrize("kind", ["direct", "seq2seq"])
def test_members_only_read_their_own_embedding(kind: str) -> None:
    torch.manual_seed(0)
    model: DirectNet | Seq2SeqNet
    if kind == "direct":
        model = DirectNet("lstm", 3, 4, 1, 2, future_from=2, future=0, horizon=2, members=3,
                          series=4, width=2)
    else:
        model = Seq2SeqNet("lstm", 3, 4, 1, 2, decoder_from=2, members=3, series=4, width=2)
    x = torch.randn(5, 9, 3)
    x[:, :, -1] = torch.tensor([0.0, 1.0, 2.0, 3.0, -1.0]).view(5, 1)
    out = model(x)
    out[1].sum().backward()  # member 1's output
    owners = model.member_of()
    for name, param in model.named_parameters():
        assert param.grad is None or not bool(param.grad[owners[name] != 1].any()), name
    with torch.no_grad():  # member 0's and 2's tables change: member 1's output does not
        model.embedding.table[:, :2] += 1.0  # type: ignore[union-attr]
        model.embedding.table[:, 4:] += 1.0  # type: ignore[union-attr]
    again = model(x)
    assert torch.equal(again[1], out[1].detach())
    assert not torch.equal(again[0], out[0].detach())


@pytest.mark.parametrize("model", ["gru", "seq2seq"])
def test_fit_predict_save_load(tmp_path: Path, model: str) -> None:
    f = Forecaster(model, horizon=H, embedding=3, epochs=5, hidden_size=4, ensemble=2)
    f.fit(panel())
    net = f.net_
    assert isinstance(net, (DirectNet, Seq2SeqNet)) and net.embedding is not None
    table = net.embedding.table
    assert table.shape == (5, 2 * 3)
    assert [s.inputs["index"] for s in f.series_.values()] == [0, 1, 2, 3, 4]
    forecast = f.predict()
    f.save(tmp_path / "e.rnnf")
    loaded = Forecaster.load(tmp_path / "e.rnnf")
    pd.testing.assert_frame_equal(loaded.predict(), forecast)
    loaded_net = loaded.net_
    assert isinstance(loaded_net, type(net)) and loaded_net.embedding is not None
    assert torch.equal(loaded_net.embedding.table, table)


def test_new_series_forecast_with_the_mean_embedding() -> None:
    f = Forecaster(horizon=H, embedding=2, epochs=5, hidden_size=4, ensemble=1).fit(panel(4))
    new = panel(6).query("unique_id in ('u1', 'u5')")
    forecast = f.predict(data=new)
    assert sorted(forecast["unique_id"].unique()) == ["u1", "u5"]
    assert np.all(np.isfinite(forecast["gru" if f.model == "gru" else f.model]))
    states = f._states_for(new)
    assert states["u1"].inputs["index"] == 1 and states["u5"].inputs["index"] == -1


def test_embedding_works_with_the_recursive_strategy() -> None:
    f = Forecaster(horizon=H, embedding=2, strategy="recursive", epochs=3, hidden_size=4,
                   ensemble=1).fit(panel(3))
    assert len(f.predict(horizon=7)) == 3 * 7


@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_invalid_width(value: object) -> None:
    with pytest.raises(ConfigError, match="embedding="):
        Forecaster(horizon=H, embedding=value).fit(panel(2))  # type: ignore[arg-type]
