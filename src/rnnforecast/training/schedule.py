"""The learning rate of each optimizer step: constant, then a cooldown.

At a constant rate the final weights are wherever the last noisy steps left them; annealing
the rate over the last part of training settles them, and the forecasts vary less from seed
to seed. A half cosine down to `FLOOR` times the rate over the last half of the steps
(`rnnforecast.forecaster.params.COOLDOWN`) was chosen on validation splits (BENCHMARKS.md,
"The cooldown").
"""

from __future__ import annotations

import math

__all__ = ["FLOOR", "learning_rate"]

#: The cooldown ends at this fraction of the rate, not at zero: the last steps still learn.
FLOOR = 0.05


def learning_rate(lr: float, step: int, total: int, cooldown: float) -> float:
    """The rate of optimizer step ``step`` (0-based, counted over the whole fit) of
    ``total``: ``lr`` until the last ``cooldown`` fraction of the steps, then a half cosine
    from ``lr`` down to ``FLOOR * lr``. A pure function of the step count, so that a fit
    resumed from a checkpoint continues on the same schedule."""
    start = int(total * (1.0 - cooldown))
    if cooldown <= 0.0 or step < start:
        return lr
    progress = min(1.0, (step - start) / max(1, total - start))
    return lr * (FLOOR + (1.0 - FLOOR) * 0.5 * (1.0 + math.cos(math.pi * progress)))
