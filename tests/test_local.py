"""Local models (``local=True``): one network per series, trained as one grouped model, each
series' forecast equal to its fit alone; the grouped cells against torch's own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from rnnforecast import ConfigError, DataError, Forecaster
from rnnforecast.cli import app
from rnnforecast.models.grouped import GroupedRecurrentNet, group_seed
from rnnforecast.training import TrainConfig
from rnnforecast.training.grouped import train_grouped

torch.set_num_threads(1)

SETTINGS = {"horizon": 6, "local": True, "epochs": 25, "ensemble": 2, "hidden_size": 4}


def _series(uid: str, n: int, level: float, seed: int, wild: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = level * (1 + 0.02 * t + 0.2 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, level / 20, n)
    if wild:  # spikes of 1000x: huge gradients, clipping at work in this series only
        y = np.abs(rng.normal(0, 1, n)) * level
        y[::7] *= 1000
    ds = pd.date_range("2001-01-01", periods=n, freq="MS")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": y})


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    parts = [_series(f"s{i}", n, level, i) for i, (n, level) in
             enumerate([(40, 100.0), (55, 5.0), (31, 2000.0), (48, 50.0), (60, 1.0)])]
    parts.append(_series("wild", 45, 10.0, 9, wild=True))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def grouped(panel: pd.DataFrame) -> Forecaster:
    return Forecaster(**SETTINGS).fit(panel)


def _close(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Forecasts equal within float tolerance, relative to each series' scale."""
    merged = a.merge(b, on=["unique_id", "ds"], suffixes=("_a", "_b"))
    assert len(merged) == len(a) == len(b)
    for _, g in merged.groupby("unique_id"):
        scale = float(np.abs(g["lstm_b"]).max())
        np.testing.assert_allclose(g["lstm_a"], g["lstm_b"], rtol=0, atol=1e-5 * scale)


def test_grouped_forecasts_equal_independent_fits(grouped: Forecaster,
                                                  panel: pd.DataFrame) -> None:
    alone = pd.concat([Forecaster(**SETTINGS).fit(g).predict()
                       for _, g in panel.groupby("unique_id", sort=False)], ignore_index=True)
    _close(grouped.predict(), alone)
    # each network really is its own: the first series' weights differ from the second's
    w = grouped.net_.weight_hh_l0
    assert not torch.equal(w[0], w[SETTINGS["ensemble"]])


def test_group_order_does_not_matter() -> None:
    # (the reader sorts series by id, so the order is shuffled here, below the Forecaster)
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(n, 9, 2)).astype(np.float32) for n in (5, 17, 9, 30, 2)]
    ys = [rng.normal(size=(len(x), 3)).astype(np.float32) for x in xs]
    seeds = [group_seed(0, str(i)) for i in range(len(xs))]
    config = TrainConfig(epochs=10, lr=0.02, clip=0.5)

    def fit(order: list[int]) -> GroupedRecurrentNet:
        net = GroupedRecurrentNet("lstm", 2, 4, 1, 3, groups=len(order), members=2)
        net.reset_parameters([seeds[i] for i in order])
        train_grouped(net, [xs[i] for i in order], [ys[i] for i in order], config)
        return net

    order = [3, 0, 4, 2, 1]
    a, b = fit(list(range(len(xs)))), fit(order)
    units = torch.tensor([[2 * i, 2 * i + 1] for i in order]).view(-1)
    for name, p in a.named_parameters():
        torch.testing.assert_close(p[units], getattr(b, name), rtol=1e-4, atol=1e-5)


def test_clipping_in_one_series_does_not_move_the_others(panel: pd.DataFrame) -> None:
    settings = dict(SETTINGS, clip=0.3)  # clips some networks, not all
    together = Forecaster(**settings).fit(panel)
    assert 0 < together.history_["clipped"][0] < 1
    calm = Forecaster(**settings).fit(panel[panel["unique_id"] != "wild"]).predict()
    ours = together.predict()
    _close(ours[ours["unique_id"] != "wild"].reset_index(drop=True), calm)


def test_per_series_early_stopping_matches_independent_fits(panel: pd.DataFrame) -> None:
    settings = dict(SETTINGS, epochs=40, patience=3, lr=0.05)
    together = Forecaster(**settings).fit(panel)
    k = settings["ensemble"]
    stopped = []
    for i, (_, g) in enumerate(panel.groupby("unique_id", sort=False)):
        alone = Forecaster(**settings).fit(g)
        assert together.best_epoch_[i * k : (i + 1) * k] == alone.best_epoch_
        stopped.append(len(alone.history_["train_loss"]))
        _close(together.predict(data=g), alone.predict())
    assert len(set(stopped)) > 1  # the series stopped at different epochs
    assert len(together.history_["train_loss"]) == max(stopped)


def test_local_defaults(panel: pd.DataFrame) -> None:
    model = Forecaster(horizon=6, local=True, epochs=2).fit(panel)
    assert model.settings_["ensemble"] == 1 and model.settings_["hidden_size"] == 8
    assert model.net_.weight_hh_l0.shape[0] == panel["unique_id"].nunique()
    # lookback max(2 * 12, horizon), not capped by the longest series (31 - 12 - 1 = 18 is
    # the global model's cap): a series' model does not depend on the others' lengths
    short = panel[panel["unique_id"] == "s2"]
    assert Forecaster(horizon=12, local=True, epochs=1).fit(short).lookback_ == 24
    assert Forecaster(horizon=12, epochs=1, ensemble=1).fit(short).lookback_ == 18


def test_save_load_round_trip(grouped: Forecaster, tmp_path: Path) -> None:
    path = tmp_path / "local.rnnf"
    grouped.save(path)
    loaded = Forecaster.load(path)
    assert loaded.local is True
    assert isinstance(loaded.net_, GroupedRecurrentNet)
    pd.testing.assert_frame_equal(loaded.predict(), grouped.predict())
    assert loaded.info()["parameters"] == grouped.info()["parameters"]


def test_predict_on_known_and_unseen_series(grouped: Forecaster, panel: pd.DataFrame) -> None:
    # a subset, in another order, is routed to each series' own network
    part = pd.concat([panel[panel["unique_id"] == u] for u in ("s4", "s1")])
    expected = grouped.predict()
    expected = expected[expected["unique_id"].isin(["s4", "s1"])]
    _close(grouped.predict(data=part), expected.reset_index(drop=True))
    new = panel[panel["unique_id"] == "s0"].assign(unique_id="new")
    with pytest.raises(DataError, match=r"'new' was not in the training data.*local"):
        grouped.predict(data=new)


@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_other_cells_and_recursive_strategy(cell: str, panel: pd.DataFrame) -> None:
    two = panel[panel["unique_id"].isin(["s0", "s1"])]
    settings = dict(SETTINGS, model=cell, strategy="recursive", epochs=10)
    together = Forecaster(**settings).fit(two).predict()
    alone = pd.concat([Forecaster(**settings).fit(g).predict()
                       for _, g in two.groupby("unique_id", sort=False)], ignore_index=True)
    assert list(together.columns) == ["unique_id", "ds", cell]
    _close(together.rename(columns={cell: "lstm"}), alone.rename(columns={cell: "lstm"}))


@pytest.mark.parametrize(("params", "match"), [
    ({"dropout": 0.2}, "dropout"),
    ({"embedding": 4}, "embedding"),
    ({"local": "yes"}, "local"),
])
def test_unsupported_combinations_are_config_errors(params: dict[str, object], match: str,
                                                    panel: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match=match):
        Forecaster(**dict(SETTINGS, **params)).fit(panel)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layers", [1, 2])
def test_grouped_cells_compute_what_torch_computes(cell: str, layers: int) -> None:
    groups, members, hidden, inputs, outputs = 3, 2, 5, 2, 4
    net = GroupedRecurrentNet(cell, inputs, hidden, layers, outputs, groups, members)
    net.reset_parameters([group_seed(1, f"g{i}") for i in range(groups)])
    x = torch.randn(groups, 7, 11, inputs)  # 7 windows of 11 steps per group
    out = net.run(net.weights(), x)  # (groups, members, windows, outputs)
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    # torch's gate order: LSTM (i, f, g, o), ours (i, f, o, g); GRU (r, z, n) in both
    order = [0, 1, 3, 2] if cell == "lstm" else list(range({"gru": 3, "rnn": 1}[cell]))
    for g in range(groups):
        for k in range(members):
            u = g * members + k
            ref = module(inputs, hidden, num_layers=layers, batch_first=True)
            with torch.no_grad():
                for name, param in ref.named_parameters():
                    ours = getattr(net, name)[u]  # (in, gates * hidden) or (1, ...)
                    blocks = ours.reshape(ours.shape[0], -1, hidden)[:, order]
                    param.copy_(blocks.reshape(ours.shape[0], -1).T.reshape(param.shape))
                seq, _ = ref(x[g])
                expected = seq[:, -1] @ net.head_weight[u] + net.head_bias[u]
            torch.testing.assert_close(out[g, k], expected, rtol=1e-5, atol=1e-5)


def test_initial_weights_depend_only_on_seed_and_series_id() -> None:
    big = GroupedRecurrentNet("lstm", 2, 4, 1, 3, groups=3, members=2)
    big.reset_parameters([group_seed(0, u) for u in ("a", "b", "c")])
    one = GroupedRecurrentNet("lstm", 2, 4, 1, 3, groups=1, members=2)
    one.reset_parameters([group_seed(0, "b")])
    for name, p in one.named_parameters():
        assert torch.equal(p, getattr(big, name)[2:4]), name
    assert group_seed(0, "b") != group_seed(1, "b")


def test_cli_local_flag(panel: pd.DataFrame, tmp_path: Path) -> None:
    data = tmp_path / "panel.csv"
    panel[panel["unique_id"].isin(["s0", "s1"])].to_csv(data, index=False)
    model = tmp_path / "m.rnnf"
    runner = CliRunner()
    fast = ["--epochs", "3", "--hidden-size", "4", "--ensemble", "1"]
    result = runner.invoke(app, ["fit", str(data), "--horizon", "6", "--local", *fast,
                                 "--save", str(model)])
    assert result.exit_code == 0, result.output
    assert Forecaster.load(model).local is True
    result = runner.invoke(app, ["evaluate", str(data), "--horizon", "6", "--models", "lstm",
                                 "--local", *fast, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "lstm" in result.stdout
    result = runner.invoke(app, ["fit", str(data), "--horizon", "6", "--local", "--dropout",
                                 "0.5", *fast, "--save", str(model)])
    assert result.exit_code == 2 and "dropout" in result.output
