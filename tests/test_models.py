"""RecurrentNet: cells, stacking, dropout, and members that never exchange information."""

from __future__ import annotations

import pytest
import torch

from rnnforecast.models import CELLS, RecurrentNet

torch.set_num_threads(1)

CELL_NAMES = ["rnn", "lstm", "gru"]


def make(cell: str, members: int = 3, layers: int = 2, hidden: int = 5, dropout: float = 0.0,
         seed: int = 0) -> RecurrentNet:
    torch.manual_seed(seed)
    return RecurrentNet(cell, input_size=2, hidden_size=hidden, num_layers=layers,
                        output_size=4, dropout=dropout, members=members)


def batch(seed: int = 1) -> torch.Tensor:
    return torch.randn(6, 9, 2, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_output_shape_and_cell_type(cell: str) -> None:
    net = make(cell, members=3)
    assert isinstance(net.rnn, CELLS[cell])
    assert net.rnn.hidden_size == 3 * 5
    assert net.rnn.num_layers == 2
    out = net(batch())
    assert out.shape == (3, 6, 4)  # (members, batch, outputs)
    assert torch.isfinite(out).all()
    assert net.hidden_states(batch()).shape == (6, 9, 15)


def test_single_member_single_layer() -> None:
    net = make("lstm", members=1, layers=1)
    assert net(batch()).shape == (1, 6, 4)


def test_unknown_cell() -> None:
    with pytest.raises(ValueError, match="unknown cell 'tcn'"):
        RecurrentNet("tcn", 2, 4, 1, 1)


def test_dropout_between_stacked_layers_only() -> None:
    stacked = make("gru", layers=2, dropout=0.5)
    assert stacked.rnn.dropout == 0.5
    x = batch()
    stacked.train()
    torch.manual_seed(3)
    a = stacked(x)
    b = stacked(x)
    assert not torch.equal(a, b)  # dropout active while training
    stacked.eval()
    assert torch.equal(stacked(x), stacked(x))  # and off for inference
    single = make("gru", layers=1, dropout=0.5)
    assert single.rnn.dropout == 0.0  # torch would warn: no layer to drop between


def member_param_view(net: RecurrentNet, member: int) -> dict[str, torch.Tensor]:
    """Boolean masks of the entries each member owns, for every parameter."""
    owners = net.member_of()
    return {name: owners[name] == member for name, _ in net.named_parameters()}


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_changing_one_member_leaves_the_others_unchanged(cell: str) -> None:
    net = make(cell, members=3)
    net.eval()
    x = batch()
    before = net(x).detach()
    owned = member_param_view(net, 0)
    with torch.no_grad():
        for name, param in net.named_parameters():
            param.add_(owned[name] * 0.5)  # perturb everything member 0 owns
    after = net(x).detach()
    assert not torch.allclose(after[0], before[0])
    assert torch.equal(after[1], before[1])
    assert torch.equal(after[2], before[2])


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_cross_member_blocks_are_zero_and_get_zero_gradients(cell: str) -> None:
    net = make(cell, members=3)
    net(batch()).pow(2).sum().backward()
    checked = 0
    for name, param in net.rnn.named_parameters():
        between_layers = name.startswith("weight_ih") and not name.endswith("_l0")
        if name.startswith("weight_hh") or between_layers:
            mask = getattr(net, f"mask_{name}")
            assert not mask.all()  # there are cross-member blocks
            assert torch.all(param[~mask] == 0)
            assert param.grad is not None
            assert torch.all(param.grad[~mask] == 0)
            assert torch.any(param.grad[mask] != 0)
            checked += 1
    assert checked == 2 * 2 - 1  # weight_hh for both layers, weight_ih for the second


def test_member_gradients_do_not_depend_on_other_members_losses() -> None:
    net = make("lstm", members=2)
    out = net(batch())
    out[1].sum().backward()  # a loss on member 1 only
    owned0 = member_param_view(net, 0)
    for name, param in net.named_parameters():
        assert param.grad is not None
        assert torch.all(param.grad[owned0[name]] == 0), name


def test_cross_blocks_stay_zero_after_training_steps() -> None:
    from rnnforecast.training.optim import Adam

    net = make("gru", members=2)
    params = list(net.parameters())
    opt = Adam(params, lr=0.05)
    for _ in range(5):
        opt.zero_grad()
        net(batch()).pow(2).mean().backward()
        opt.step()
    for name, param in net.rnn.named_parameters():
        if name.startswith("weight_hh"):
            mask = getattr(net, f"mask_{name}")
            assert torch.all(param[~mask] == 0)


def test_member_of_covers_every_parameter() -> None:
    net = make("lstm", members=3)
    owners = net.member_of()
    for name, param in net.named_parameters():
        assert owners[name].shape == param.shape
        assert set(owners[name].unique().tolist()) == {0, 1, 2}
    # the head of member 2 is owned by member 2
    assert torch.all(owners["head_weight"][2] == 2)


def test_same_seed_same_initial_weights() -> None:
    a, b = make("rnn", seed=5), make("rnn", seed=5)
    for (_, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert torch.equal(pa, pb)
    c = make("rnn", seed=6)
    assert not torch.equal(a.head_weight, c.head_weight)
