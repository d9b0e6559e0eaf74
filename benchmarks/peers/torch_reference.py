"""The bare PyTorch reference of ANCHORS.md, written as a user would: log, window mean
removed, LSTM(32) -> Linear(24) (direct 24 outputs), lookback 24, 500 full-batch Adam epochs
(lr 3e-3), MSE. Runs in the main venv (torch 2.13.0+cpu)."""

from __future__ import annotations

import _common  # first: one-thread variables before numpy/torch load
import numpy as np
import torch
from torch import nn

LOOKBACK, HIDDEN, EPOCHS, LR = 24, 32, 500, 3e-3


class Net(nn.Module):
    def __init__(self, horizon: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(1, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def fit_predict(y_train: np.ndarray, horizon: int, seed: int) -> np.ndarray:
    torch.manual_seed(seed)
    z = np.log(y_train)
    starts = np.arange(len(z) - LOOKBACK - horizon + 1)
    windows = np.stack([z[s : s + LOOKBACK] for s in starts])
    future = np.stack([z[s + LOOKBACK : s + LOOKBACK + horizon] for s in starts])
    level = windows.mean(axis=1, keepdims=True)
    x = torch.tensor(windows - level, dtype=torch.float32).unsqueeze(-1)
    y = torch.tensor(future - level, dtype=torch.float32)
    net = Net(horizon)
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)
    for _ in range(EPOCHS):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(net(x), y)
        loss.backward()
        optimizer.step()
    last = z[-LOOKBACK:]
    with torch.inference_mode():
        x_last = torch.tensor(last - last.mean(), dtype=torch.float32).view(1, -1, 1)
        out = net(x_last).double().numpy()[0]
    return np.exp(out + last.mean())


def main() -> None:
    args = _common.arguments(__doc__ or "")
    _common.set_torch_threads()
    _, y = _common.load(args.data)
    train = y[: args.train]
    dynamo = _common.dynamo_loaded()
    # The first fit is the warm-up: its first torch.optim.Adam step imports torch._dynamo.
    first = _common.timed_runs(lambda seed: fit_predict(train, args.horizon, seed), 1)[0]
    runs = _common.timed_runs(lambda seed: fit_predict(train, args.horizon, seed), args.runs)
    _common.report(
        "torch_reference", {"torch": torch.__version__},
        {"lookback": LOOKBACK, "hidden": HIDDEN, "layers": 1, "epochs": EPOCHS, "lr": LR,
         "batch": "full (73 windows)", "scaling": "log, window mean removed",
         "output": "direct 24", "optimizer": "torch.optim.Adam (warmed)", "loss": "MSE"},
        runs, first_fit_cpu_s=first["cpu_s"], dynamo_at_import=dynamo)


if __name__ == "__main__":
    main()
