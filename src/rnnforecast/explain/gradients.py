"""Gradient flow through time: how much the loss is moved by the hidden state at each step.

For an input window of T steps, ``h_t`` is the hidden state a layer hands on to step t + 1
(and, for a stacked layer, to the layer above). The *vanishing-gradient curve* is the size
of the total derivative ``dL/dh_t`` for t = 0 .. T-1: every path from ``h_t`` to the loss,
through all later steps and layers. It is measured exactly, not approximated: the fitted
network is unrolled step by step with ``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell``
holding the very same weights (the same arithmetic as the fused ``nn.RNN``/``nn.LSTM``/
``nn.GRU`` call, checked in the tests), every ``h_t`` is kept, and
``torch.autograd.grad`` gives ``dL/dh_t`` for all of them at once. For the LSTM the memory
cell ``c_t`` is a second state; ``dL/dc_t`` is measured too (``cell_norms``).

Conventions:

- The loss is the forecaster's training loss (mse, mae or huber on the scaled residuals),
  summed over the outputs of one window, so ``dL/dh_t`` of one window does not depend on how
  many windows are in the batch. The reported norm is the mean over windows of the
  Euclidean norm of each window's gradient.
- Ensembles: members are independent networks in one module (block-diagonal weights), so
  member k's slice of ``dL/dh_t`` is exactly the gradient of member k's own loss. The curve
  is the geometric mean over members of the per-member norms (``member=None``: the typical
  member on a log scale, where an arithmetic mean would follow the one member whose norms
  are orders of magnitude larger) or one member's (``member=k``).
- The network runs in evaluation mode: dropout off, the function the forecasts come from.
- Steps are counted back from the last input: lag k is ``h_{T-1-k}``; ``relative`` divides
  each layer's curve by its value at the last step (lag 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rnnforecast.errors import ConfigError, DataError
from rnnforecast.io.jsonsafe import finite_or_none

if TYPE_CHECKING:
    import torch

    from rnnforecast.forecaster import Forecaster
    from rnnforecast.models import RecurrentNet

__all__ = [
    "GradientFlow",
    "clipping_frame",
    "forecaster_gradient_flow",
    "gradient_flow",
    "initial_net",
    "memory_experiment",
    "memory_task",
    "state_gradients",
    "training_windows",
    "unroll",
]

#: windows used to measure a gradient curve at most (evenly spaced over all windows)
MAX_WINDOWS = 512


@dataclass
class GradientFlow:
    """One measured curve set: ``norms[layer, t]`` = mean over windows (and members) of
    ``||dL/dh_t||`` for layer ``layer`` (0 = bottom) and input step ``t`` (0 = oldest,
    T-1 = last); ``cell_norms`` the same for the LSTM's ``c_t`` (None for RNN and GRU)."""

    model: str
    norms: np.ndarray
    cell_norms: np.ndarray | None = None
    state: str = "trained"
    windows: int = 0
    members: str = "geometric mean"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return int(self.norms.shape[1])

    @property
    def layers(self) -> int:
        return int(self.norms.shape[0])

    def relative(self) -> np.ndarray:
        """Each layer's curve divided by its value at the last step (lag 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.norms / self.norms[:, -1:]

    def ratio(self, lag: int, layer: int = -1) -> float:
        """``||dL/dh_{T-1-lag}|| / ||dL/dh_{T-1}||`` for one layer (default: the top one)."""
        if not 0 <= lag < self.steps:
            raise ConfigError(f"lag {lag} is outside the window of {self.steps} steps")
        return float(self.relative()[layer, self.steps - 1 - lag])

    def to_frame(self) -> pd.DataFrame:
        """Long table: model, state, layer (1 = bottom), step, lag, grad_norm, relative
        (and cell_grad_norm for the LSTM)."""
        rows = []
        rel = self.relative()
        for layer in range(self.layers):
            for t in range(self.steps):
                row: dict[str, Any] = {
                    "model": self.model, "state": self.state, "layer": layer + 1, "step": t,
                    "lag": self.steps - 1 - t, "grad_norm": float(self.norms[layer, t]),
                    "relative": float(rel[layer, t]),
                }
                if self.cell_norms is not None:
                    row["cell_grad_norm"] = float(self.cell_norms[layer, t])
                rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model, "state": self.state, "steps": self.steps,
            "layers": self.layers, "windows": self.windows, "members": self.members,
            "grad_norm": [[finite_or_none(v) for v in row] for row in self.norms],
            "relative": [[finite_or_none(v) for v in row] for row in self.relative()],
            **self.meta,
        }
        if self.cell_norms is not None:
            out["cell_grad_norm"] = [[finite_or_none(v) for v in row] for row in self.cell_norms]
        return out


# ---------------------------------------------------------------------- unrolling


def _cells(net: RecurrentNet) -> list[torch.nn.Module]:
    """One cell per layer holding that layer's weights (copies; the net is not changed)."""
    import torch
    from torch import nn

    rnn = net.rnn
    cells: list[nn.Module] = []
    for layer in range(rnn.num_layers):
        size_in = rnn.input_size if layer == 0 else rnn.hidden_size
        cell: nn.Module
        if net.cell == "lstm":
            cell = nn.LSTMCell(size_in, rnn.hidden_size)
        elif net.cell == "gru":
            cell = nn.GRUCell(size_in, rnn.hidden_size)
        else:
            cell = nn.RNNCell(size_in, rnn.hidden_size,
                              nonlinearity=getattr(rnn, "nonlinearity", "tanh"))
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, name).copy_(getattr(rnn, f"{name}_l{layer}"))
        cell.requires_grad_(False)
        cells.append(cell)
    return cells


def unroll(net: RecurrentNet, x: torch.Tensor) -> tuple[
        list[list[torch.Tensor]], list[list[torch.Tensor]], torch.Tensor]:
    """Run ``net`` on ``x`` (batch, T, features) one step and one layer at a time.

    Returns the hidden states ``h[layer][t]`` (batch, members * hidden), the LSTM's cell
    states ``c[layer][t]`` (empty lists for RNN and GRU) and the output (members, batch,
    outputs), which equals ``net(x)`` in evaluation mode.
    """
    import torch

    cells = _cells(net)
    batch, steps = x.shape[0], x.shape[1]
    width = net.rnn.hidden_size
    lstm = net.cell == "lstm"
    # Zero initial states that require grad, so that every h_t is a node of the graph that
    # gradients can be asked for (the cells' weights are frozen copies).
    h = [x.new_zeros(batch, width).requires_grad_(True) for _ in cells]
    c = [x.new_zeros(batch, width).requires_grad_(True) for _ in cells]
    hs: list[list[torch.Tensor]] = [[] for _ in cells]
    cs: list[list[torch.Tensor]] = [[] for _ in cells]
    for t in range(steps):
        inp = x[:, t, :]
        for layer, cell in enumerate(cells):
            if lstm:
                h[layer], c[layer] = cell(inp, (h[layer], c[layer]))
                cs[layer].append(c[layer])
            else:
                h[layer] = cell(inp, h[layer])
            hs[layer].append(h[layer])
            inp = h[layer]
    last = h[-1].view(batch, net.members, net.hidden_size)
    out = torch.einsum("bkh,kho->kbo", last, net.head_weight) + net.head_bias[:, None, :]
    return hs, cs, out


# ---------------------------------------------------------------------- measuring


def state_gradients(net: RecurrentNet, x: Any, y: Any, loss: str = "mse") -> tuple[
        torch.Tensor, torch.Tensor | None]:
    """``dL/dh_t`` for every layer and step: a tensor (layers, T, N, members * hidden), and
    the same for the LSTM's ``dL/dc_t`` (None for RNN and GRU). ``x``: windows (N, T,
    features); ``y``: targets (N, outputs); arrays or tensors. L sums each window's loss
    (mean over its outputs) over windows and members; the network runs in evaluation mode."""
    import torch

    from rnnforecast.training.config import LOSSES

    if loss not in LOSSES:
        raise ConfigError(f"loss '{loss}' is invalid: use one of {', '.join(LOSSES)}")
    xt = torch.as_tensor(np.asarray(x, dtype=np.float32))
    yt = torch.as_tensor(np.asarray(y, dtype=np.float32))
    if xt.ndim != 3 or yt.ndim != 2 or xt.shape[0] != yt.shape[0] or xt.shape[0] == 0:
        raise DataError(f"expected windows (N, T, features) and targets (N, outputs) with the "
                        f"same N > 0; got {tuple(xt.shape)} and {tuple(yt.shape)}")
    was_training = net.training
    net.eval()
    try:
        with torch.enable_grad():
            hs, cs, out = unroll(net, xt)
            # Sum over windows (mean over a window's outputs): one window's gradient does not
            # depend on how many windows there are; sum over members: member k's slice of
            # dL/dh is the gradient of member k's own loss.
            total = LOSSES[loss](out, yt.unsqueeze(0)).mean(dim=2).sum()
            flat_h = [h for layer in hs for h in layer]
            flat_c = [c for layer in cs for c in layer]
            grads = torch.autograd.grad(total, flat_h + flat_c, allow_unused=True)
    finally:
        net.train(was_training)
    filled = [torch.zeros_like(t) if g is None else g
              for g, t in zip(grads, flat_h + flat_c, strict=True)]
    layers, steps = len(hs), xt.shape[1]
    h_grads = torch.stack(filled[: len(flat_h)]).view(layers, steps, *flat_h[0].shape)
    c_grads = (torch.stack(filled[len(flat_h):]).view(layers, steps, *flat_h[0].shape)
               if flat_c else None)
    return h_grads, c_grads


def gradient_flow(
    net: RecurrentNet,
    x: Any,
    y: Any,
    *,
    loss: str = "mse",
    member: int | None = None,
    model: str | None = None,
    state: str = "trained",
) -> GradientFlow:
    """Measure ``||dL/dh_t||`` for every step and layer of ``net`` on windows ``x`` (N, T,
    features) with targets ``y`` (N, outputs); arrays or tensors. ``member=None``: the
    geometric mean over members of the per-member norms; an integer picks one member."""
    if member is not None and not 0 <= member < net.members:
        raise ConfigError(f"member {member} is invalid: the network has {net.members} members")
    h_grads, c_grads = state_gradients(net, x, y, loss)
    norms = _member_norms(h_grads, net, member)
    cell_norms = None if c_grads is None else _member_norms(c_grads, net, member)
    return GradientFlow(model or net.cell, norms, cell_norms, state, int(h_grads.shape[2]),
                        "geometric mean" if member is None else f"member {member}")


def _member_norms(grads: torch.Tensor, net: RecurrentNet, member: int | None) -> np.ndarray:
    """(layers, T): the mean over windows of each member's norm, then the geometric mean
    over members (or one member's)."""
    import torch

    layers, steps, n = grads.shape[0], grads.shape[1], grads.shape[2]
    per = torch.linalg.vector_norm(
        grads.reshape(layers, steps, n, net.members, net.hidden_size), dim=4).mean(dim=2)
    if member is not None:
        return per[:, :, member].double().numpy()
    # geometric mean: members can differ by orders of magnitude
    return torch.exp(torch.log(per.double()).mean(dim=2)).numpy()


# ------------------------------------------------------------- fitted forecasters


def training_windows(forecaster: Forecaster, data: Any,
                     max_windows: int = MAX_WINDOWS) -> tuple[np.ndarray, np.ndarray]:
    """The windows a fitted `Forecaster` trains on, built from ``data`` (its training
    data) with its fitted framing: inputs (N, lookback, channels) and scaled targets
    (N, outputs); at most ``max_windows``, evenly spaced."""
    from rnnforecast.data.reader import read_series

    frame = read_series(data, fill=forecaster.fill)
    out_size = int(forecaster.horizon) if forecaster.strategy == "direct" else 1
    xs, ys = [], []
    for uid, g in frame.groupby("unique_id", sort=False):
        state = forecaster.series_.get(str(uid))
        if state is None:
            continue
        y = g["y"].to_numpy(dtype=np.float64)
        if state.log and np.any(y <= 0):
            continue
        z = np.log(y) if state.log else y
        x_s, y_s = _windows(forecaster, state, z, out_size)
        if x_s.shape[0]:
            xs.append(x_s)
            ys.append(y_s)
    if not xs:
        raise DataError("no training windows could be built from the data for the gradient "
                        "measurement; give the data the model was fitted on")
    x, y = np.concatenate(xs), np.concatenate(ys)
    if x.shape[0] > max_windows:
        keep = np.linspace(0, x.shape[0] - 1, max_windows).round().astype(np.int64)
        x, y = x[keep], y[keep]
    return x, y


def _windows(forecaster: Forecaster, state: Any, z: np.ndarray,
             out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """One series' training windows, framed as the forecaster frames them."""
    from rnnforecast.data.framing import make_windows, origins_for

    origins = origins_for(forecaster.framing, len(z), state.framing, out_size)
    return make_windows(forecaster.framing, z, state.log, state.framing, origins,
                        forecaster.lookback_, out_size)


def initial_net(forecaster: Forecaster) -> RecurrentNet:
    """The network a fitted `Forecaster` started from: same settings and seed, untrained."""
    out_size = int(forecaster.horizon) if forecaster.strategy == "direct" else 1
    return forecaster._build_net(out_size)


def forecaster_gradient_flow(forecaster: Forecaster, data: Any, *, initial: bool = False,
                             member: int | None = None) -> GradientFlow:
    """`gradient_flow` of a fitted forecaster on its training windows (``initial=True``:
    of the untrained network it started from, on the same windows)."""
    forecaster._check_fitted()
    x, y = training_windows(forecaster, data)
    net = initial_net(forecaster) if initial else forecaster.net_
    flow = gradient_flow(net, x, y, loss=str(forecaster.settings_["loss"]),
                         member=member, model=forecaster.model,
                         state="initial" if initial else "trained")
    flow.meta = {"lookback": forecaster.lookback_,
                 "hidden_size": forecaster.settings_["hidden_size"],
                 "num_layers": forecaster.num_layers,
                 "ensemble": forecaster.settings_["ensemble"], "seed": forecaster.seed}
    return flow


def clipping_frame(history: dict[str, list[float]], clip: float | None) -> pd.DataFrame:
    """Per epoch: the global gradient norm before clipping (``grad_norm``: mean over the
    epoch's steps of the largest member norm; ``grad_norm_max``: the largest step), after
    clipping (``min(norm, clip)``; the same as before when clipping is off) and the fraction
    of steps clipped. With one step per epoch (full batch, the usual case on small data)
    ``after_clip`` is exact; with several steps it is an upper bound of the mean after
    clipping."""
    before = np.asarray(history.get("grad_norm", []), dtype=np.float64)
    if before.size == 0:
        raise DataError("the model has no gradient-norm history (fit it first)")
    after = before if clip is None else np.minimum(before, float(clip))
    frame = pd.DataFrame({
        "epoch": np.arange(1, before.size + 1),
        "grad_norm": before,
        "grad_norm_max": np.asarray(history.get("grad_norm_max", [np.nan] * before.size),
                                    dtype=np.float64)[: before.size],
        "after_clip": after,
        "clipped": np.asarray(history.get("clipped", [0.0] * before.size),
                              dtype=np.float64)[: before.size],
    })
    frame["clip"] = np.nan if clip is None else float(clip)
    return frame


# ---------------------------------------------------------------- synthetic task


def memory_task(n: int = 256, steps: int = 50, lag: int = 40,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A task whose answer lies ``lag`` steps back, framed like the forecaster's inputs (a
    value channel and an "observed" flag of 1): inputs of shape (n, steps, 2) with values
    N(0, 1); target = the value at step ``steps - 1 - lag`` (shape (n, 1))."""
    if not (isinstance(steps, int) and isinstance(lag, int) and 0 <= lag < steps):
        raise ConfigError(f"lag {lag} must be an integer in [0, steps={steps})")
    rng = np.random.default_rng(seed)
    values = rng.standard_normal((n, steps, 1))
    x = np.concatenate([values, np.ones_like(values)], axis=2)
    return x, values[:, steps - 1 - lag, :].copy()


def memory_experiment(
    models: tuple[str, ...] = ("rnn", "lstm", "gru"),
    *,
    steps: int = 50,
    lag: int = 40,
    hidden_size: int = 8,
    members: int = 5,
    windows: int = 256,
    seed: int = 0,
) -> dict[str, GradientFlow]:
    """Gradient flow of freshly initialised networks (the library's initialisation, seed
    ``seed`` for every cell) on `memory_task`: one `GradientFlow` per cell; compare them
    with ``flow.ratio(lag)``."""
    import torch

    from rnnforecast.models import CELLS, RecurrentNet

    x, y = memory_task(windows, steps, lag, seed)
    out: dict[str, GradientFlow] = {}
    for model in models:
        if model not in CELLS:
            raise ConfigError(f"unknown model '{model}': use one of {', '.join(CELLS)}")
        torch.manual_seed(seed)
        net = RecurrentNet(model, x.shape[2], hidden_size, 1, 1, members=members)
        flow = gradient_flow(net, x, y, model=model, state="initial")
        flow.meta = {"task": f"memory: target = the input {lag} steps before the last",
                     "lag": lag, "hidden_size": hidden_size, "ensemble": members, "seed": seed}
        out[model] = flow
    return out
