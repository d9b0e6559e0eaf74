"""Plain JSON values: numpy scalars as Python numbers, NaN and inf as null (JSON has no such
numbers). The one JSON cleaner of the package."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["finite_or_none", "plain"]


def finite_or_none(value: Any) -> float | None:
    """``value`` as a Python float, or None when it is NaN or infinite."""
    v = float(value)
    return v if math.isfinite(v) else None


def plain(value: Any, *, keep_nonfinite: bool = False) -> Any:
    """``value`` with numpy scalars as Python bool/int/float and non-finite floats as None
    (kept when ``keep_nonfinite``), recursively through dicts (keys as strings), lists and
    tuples (as lists); anything else is returned as it is (``json.dumps(..., default=str)``
    writes it as its text)."""
    if isinstance(value, dict):
        return {str(k): plain(v, keep_nonfinite=keep_nonfinite) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, keep_nonfinite=keep_nonfinite) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if keep_nonfinite or math.isfinite(v) else None
    return value
