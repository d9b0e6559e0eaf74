"""Numbers as spreadsheets write them: decimal commas and thousands separators.

A column is rewritten as plain numbers only when its own cells say unambiguously how they are
written (or the user said so with ``decimal=``): ``5,000.18`` or ``1,234,567`` can only use a
comma for thousands, ``500,02``, ``0,5`` or ``1.234,5`` only a decimal comma. Decimal commas
are recognised in files whose fields are not separated by commas (``;``, tab, ``|``), as
spreadsheets write them. ``1,000`` alone could be either: it stays as written, and the reader's
error asks for ``decimal=``. A currency sign before every number of a column (``$1,234.50``)
or a percent sign after every one (``2.5%``) is dropped, the number kept as written.
"""

from __future__ import annotations

import re

import pandas as pd

from rnnforecast.data.reading import option
from rnnforecast.errors import ConfigError

__all__ = ["DECIMALS", "MISSING_CELLS", "check_decimal", "plain_numbers", "strip_signs"]

DECIMALS = (".", ",")
#: cells that mean "no value" (compared lower-cased, stripped): spreadsheets' and statistics
#: offices' markers (FRED writes ".", Eurostat ":", Excel "#N/A")
MISSING_CELLS = frozenset({"", "nan", "na", "n/a", "null", "none", "-", "--", "?", ".", "..",
                           "...", ":", "#n/a", "n.a."})
_SIGN = r"^[+-]?"
# every cell of a number written with one of the two conventions
_DOT_DECIMAL = re.compile(_SIGN + r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?$")
_COMMA_DECIMAL = re.compile(_SIGN + r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?$")
# cells that can only be read one way
_SURELY_DOT = re.compile(_SIGN + r"(?:\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,})$")
_SURELY_COMMA = re.compile(
    _SIGN + r"(?:\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,}|\d*,(?:\d{1,2}|\d{4,})|"
    r"\d{4,},\d+|0,\d+)$")


_NUMBER_TEXT = r"[+-]?\d[\d.,]*"
_SIGNS = {
    "currency signs removed": re.compile(
        r"^(?P<minus>-?)\s*[$€£¥₹]\s*(?P<number>" + _NUMBER_TEXT + r")$"),
    "percent signs removed": re.compile(r"^(?P<minus>)(?P<number>" + _NUMBER_TEXT + r")\s*%$"),
}


_SPACES = "[ \u00a0\u202f]"  # space, no-break space, narrow no-break space
_SPACES_NOTE = "spaces between digit groups removed"
_SPACED = re.compile(r"^[+-]?\d{1,3}(?:" + _SPACES + r"\d{3})+(?:[.,]\d+)?$")
_SPACED_OR_PLAIN = re.compile(r"^(?P<minus>)(?P<number>[+-]?\d{1,3}(?:" + _SPACES
                              + r"\d{3})*(?:[.,]\d+)?)$")


def strip_signs(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` without the currency or percent sign that every value of a text column
    carries, and without the spaces between its digit groups (``1 234,50``, as French and
    SI style write them), and one note per kind. A column where only some cells carry a
    sign is left as written: the reader's error then names the first such cell."""
    notes: dict[str, str] = {}
    out = frame
    for col in frame.columns:
        values = frame[col]
        if values.dtype.kind != "O" and not pd.api.types.is_string_dtype(values.dtype):
            continue
        head = values.head(200).astype(str).str.strip()  # most columns end here, cheaply
        head = head[~head.str.lower().isin(MISSING_CELLS)]
        pattern = next((p for p in _SIGNS.values() if not head.empty and p.match(head.iloc[0])),
                       None)
        if pattern is None and head.str.match(_SPACED).any():
            pattern = _SPACED_OR_PLAIN
        if pattern is None:
            continue
        text = values.astype(str).str.strip()
        present = ~text.str.lower().isin(MISSING_CELLS)
        parts = text[present].str.extract(pattern)
        if parts["number"].isna().any():
            continue
        if out is frame:
            out = frame.copy()
        plain = text.copy()
        plain[present] = (parts["minus"] + parts["number"]).str.replace(_SPACES, "", regex=True)
        out[col] = plain
        note = next((k for k, p in _SIGNS.items() if p is pattern), _SPACES_NOTE)
        shown = present & (text.str.contains(_SPACES) if note == _SPACES_NOTE else True)
        example = text[shown].index[0]
        notes.setdefault(note, f"{note} ({text[example]} = {plain[example]})")
    return out, list(notes.values())


def check_decimal(decimal: str | None) -> str | None:
    """``decimal`` if it is a decimal mark we read; a `ConfigError` if not."""
    if decimal is None or decimal in DECIMALS:
        return decimal
    raise ConfigError(f"{option('decimal', decimal)} is invalid: use . or ,")


def plain_numbers(frame: pd.DataFrame, decimal: str | None, comma_fields: bool
                  ) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with its text columns of separated numbers rewritten as plain numbers, and
    what was done (one note per convention). ``comma_fields``: the fields of the file were
    separated by commas, so a decimal comma is not guessed."""
    notes: dict[str, str] = {}
    columns = {}
    for col in frame.columns:
        values = frame[col]
        if values.dtype.kind != "O" and not pd.api.types.is_string_dtype(values.dtype):
            continue
        text = values.astype(str).str.strip()
        mark = decimal or _decimal_mark(text, comma_fields)
        if mark is None:
            continue
        rewritten, example = _rewrite(text, mark)
        if example is not None:
            columns[col] = rewritten
            word = "decimal commas" if mark == "," else "thousands separators removed"
            notes.setdefault(mark, f"{word} ({example})")
    if not columns:
        return frame, []
    out = frame.copy()
    for col, values in columns.items():
        out[col] = values
    return out, list(notes.values())


def _candidates(text: pd.Series) -> pd.Series:
    """The distinct cells that hold a separator and could be a number."""
    cells = pd.Series(text.unique())
    cells = cells[~cells.str.lower().isin(MISSING_CELLS)]
    return cells[cells.str.contains(",", regex=False) & cells.str.match(r"^[+-]?[\d.,]+$")]


def _decimal_mark(text: pd.Series, comma_fields: bool) -> str | None:
    """The decimal mark the column's cells prove, or None (none needed, or ambiguous)."""
    cells = _candidates(text)
    if cells.empty:
        return None
    dot = bool(cells.str.match(_SURELY_DOT).any())
    comma = not comma_fields and bool(cells.str.match(_SURELY_COMMA).any())
    if dot == comma:  # no proof, or proof of both: left as written (an error names the cell)
        return None
    return "." if dot else ","


def _rewrite(text: pd.Series, mark: str) -> tuple[pd.Series, str | None]:
    """Cells written with decimal mark ``mark`` as plain numbers (others unchanged), and an
    example of the rewriting; no example when no cell needed it."""
    pattern, thousands = (_DOT_DECIMAL, ",") if mark == "." else (_COMMA_DECIMAL, ".")
    written = text.str.match(pattern) & text.str.contains(r"[.,]")
    if mark == ".":
        written &= text.str.contains(",", regex=False)
    if not written.any():
        return text, None
    first = text[written].iloc[0]
    plain = text[written].str.replace(thousands, "", regex=False)
    if mark == ",":
        plain = plain.str.replace(",", ".", regex=False)
    out = text.copy()
    out[written] = plain
    return out, f"{first} = {plain.iloc[0]}"
