"""The learning-rate schedule: constant, then a half-cosine cooldown to FLOOR x the rate."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
import torch

from rnnforecast.training import TrainConfig, train
from rnnforecast.training.schedule import FLOOR, learning_rate


def test_constant_until_the_cooldown_then_down_to_the_floor() -> None:
    rates = [learning_rate(0.01, k, 100, 0.5) for k in range(100)]
    assert rates[:50] == [0.01] * 50
    assert all(a > b for a, b in pairwise(rates[50:]))
    assert rates[75] == pytest.approx(0.01 * (FLOOR + (1 - FLOOR) / 2))  # half way down
    assert rates[-1] == pytest.approx(0.01 * (FLOOR + (1 - FLOOR) * 0.5
                                              * (1 + math.cos(math.pi * 49 / 50))))
    assert learning_rate(0.01, 100, 100, 0.5) == pytest.approx(0.01 * FLOOR)
    assert learning_rate(0.01, 500, 100, 0.5) == pytest.approx(0.01 * FLOOR)  # past the end


def test_no_cooldown_is_a_constant_rate() -> None:
    assert {learning_rate(0.003, k, 40, 0.0) for k in range(60)} == {0.003}


def test_the_loop_follows_the_schedule_step_by_step(monkeypatch: pytest.MonkeyPatch) -> None:
    from rnnforecast.models import RecurrentNet
    from rnnforecast.training import optim

    seen: list[float] = []
    step = optim.Adam.step

    def spy(self: optim.Adam) -> None:
        seen.append(self.lr)
        step(self)

    monkeypatch.setattr(optim.Adam, "step", spy)
    torch.manual_seed(0)
    net = RecurrentNet("lstm", 1, 4, 1, 2)
    x = torch.from_numpy(np.random.default_rng(0).normal(size=(10, 5, 1)).astype(np.float32))
    y = x[:, -2:, 0]
    # 10 windows in batches of 4: 3 steps an epoch, 4 epochs, the last 6 steps cool down
    train(net, x, y, TrainConfig(epochs=4, batch_size=4, lr=0.02, cooldown=0.5))
    assert seen == pytest.approx([learning_rate(0.02, k, 12, 0.5) for k in range(12)])
    assert seen[:6] == [0.02] * 6 and seen[-1] < 0.02 * 0.15
