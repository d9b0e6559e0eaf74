"""Tables laid out for reading, not for a series: a row per year and a column per month.

Statistics offices and textbooks print monthly data so (``Year,Jan,Feb,...,Dec``: the
classic AirPassengers table). Such a frame becomes one monthly series, read in row order,
one value per month; a yearly total column beside the months (``Total``, ``Annual``) is
left out. Anything else is returned as it is.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from rnnforecast.data.dates import MONTH_NUMBERS, YEAR_NAME

__all__ = ["year_by_month"]

_TOTAL = re.compile(r"^(total|annual|sum|year total|avg|average|mean)$", re.I)


def year_by_month(frame: pd.DataFrame, lines: np.ndarray | None
                  ) -> tuple[pd.DataFrame, np.ndarray | None, str | None]:
    """``frame`` as ``month, value`` rows when it is a year-by-month table (with each row's
    file line repeated for its months), and the note saying so; else unchanged, None."""
    names = [str(c).strip() for c in frame.columns]
    months = [MONTH_NUMBERS.get(n.lower().rstrip(".")) for n in names]
    month_cols = [c for c, m in zip(frame.columns, months, strict=True) if m is not None]
    if [m for m in months if m is not None] != list(range(1, 13)):
        return frame, lines, None
    others = [c for c, m in zip(frame.columns, months, strict=True) if m is None]
    unnamed_first = str(frame.columns[0]) in ("", "Unnamed: 0")
    years = [c for c in others
             if YEAR_NAME.search(str(c)) or (unnamed_first and c == frame.columns[0])]
    if len(years) != 1 or any(c not in years and not _TOTAL.match(str(c).strip())
                              for c in others):
        return frame, lines, None
    year = frame[years[0]].astype(str).str.strip()
    if not year.str.fullmatch(r"\d{4}").all():
        return frame, lines, None
    stamps = [f"{y}-{m:02d}-01" for y in year for m in range(1, 13)]
    values = frame[month_cols].to_numpy().reshape(-1)
    out = pd.DataFrame({"month": stamps, "value": values})
    rows = None if lines is None else np.repeat(lines, 12)
    left = [str(c) for c in others if c not in years]
    note = "a table of years by months read as one monthly series"
    return out, rows, note + (f" ('{left[0]}' left out)" if left else "")
