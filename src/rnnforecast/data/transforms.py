"""The value transform a series is modelled on: log(y) or y itself (`use_log`).

Decided on training data only. What the network then sees of the transformed series is the
framing's business (`rnnforecast.data.framing`: the "level" framing by default, the
"seasonal" residual framing of `rnnforecast.data.windows` on request).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rnnforecast.errors import ConfigError, DataError

TRANSFORMS = ("auto", "log", "none")


def use_log(values: ArrayLike, transform: str, series: str = "") -> bool:
    """Whether to model log(y): always for "log" (refusing non-positive data), never for
    "none", and for "auto" only when every training value is > 0."""
    y = np.asarray(values, dtype=np.float64)
    if transform == "none":
        return False
    positive = bool(np.all(y > 0))
    if transform == "log":
        if not positive:
            where = f" series '{series}' has" if series else " the data has"
            raise DataError(
                f"transform='log' needs positive values, but{where} a value <= 0 "
                f"(min {np.min(y):g}); use transform='auto' or 'none'"
            )
        return True
    if transform == "auto":
        return positive
    raise ConfigError(f"unknown transform '{transform}': use one of {', '.join(TRANSFORMS)}")
