"""A minimal Adam over lists of tensors.

`torch.optim.Adam` imports ``torch._dynamo`` on first use (about 1 s of CPU in torch 2.13),
which is more than a whole small fit costs; this is the same update rule (Kingma & Ba, with
bias correction, no weight decay) calling torch's fused Adam kernel directly (the one
``torch.optim.Adam(fused=True)`` uses: one pass over all parameters instead of eight
multi-tensor ops), or its multi-tensor ``_foreach`` kernels where a torch build lacks it.
"""

from __future__ import annotations

import torch


class Adam:
    def __init__(
        self,
        params: list[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = params
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.step_count = 0
        self.exp_avg = [torch.zeros_like(p) for p in params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in params]
        fused = getattr(torch, "_fused_adam_", None)
        self._fused = fused if all(p.dtype == torch.float32 for p in params) else None
        self._steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in params]

    @torch.no_grad()
    def step(self) -> None:
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        self.step_count += 1
        if self._fused is not None:
            # The kernel reads each parameter's step count from a tensor the caller advances.
            torch._foreach_add_(self._steps, 1.0)
            self._fused(self.params, grads, self.exp_avg, self.exp_avg_sq, [], self._steps,
                        lr=self.lr, beta1=self.beta1, beta2=self.beta2, weight_decay=0.0,
                        eps=self.eps, amsgrad=False, maximize=False)
            return
        t = self.step_count
        torch._foreach_mul_(self.exp_avg, self.beta1)
        torch._foreach_add_(self.exp_avg, grads, alpha=1 - self.beta1)
        torch._foreach_mul_(self.exp_avg_sq, self.beta2)
        torch._foreach_addcmul_(self.exp_avg_sq, grads, grads, value=1 - self.beta2)
        bias1 = 1 - self.beta1**t
        bias2 = 1 - self.beta2**t
        denom = torch._foreach_sqrt(self.exp_avg_sq)
        torch._foreach_div_(denom, bias2**0.5)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(self.params, self.exp_avg, denom, value=-self.lr / bias1)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """The optimizer state as named tensors (for checkpoints)."""
        out = {f"exp_avg.{i}": t for i, t in enumerate(self.exp_avg)}
        out.update({f"exp_avg_sq.{i}": t for i, t in enumerate(self.exp_avg_sq)})
        out["step"] = torch.tensor(self.step_count)
        return out

    @torch.no_grad()
    def load_state_tensors(self, state: dict[str, torch.Tensor]) -> None:
        """Restore the state written by `state_tensors` (in place); a state of another shape
        raises ValueError."""
        expected = set(self.state_tensors())
        if set(state) != expected:
            raise ValueError("the optimizer state does not match the model's parameters")
        for name, buffers in (("exp_avg", self.exp_avg), ("exp_avg_sq", self.exp_avg_sq)):
            for i, buffer in enumerate(buffers):
                saved = state[f"{name}.{i}"]
                if saved.shape != buffer.shape:
                    raise ValueError(f"optimizer state {name}.{i} has shape "
                                     f"{tuple(saved.shape)}, expected {tuple(buffer.shape)}")
                buffer.copy_(saved)
        self.step_count = int(state["step"])
        for step in self._steps:
            step.fill_(float(self.step_count))
