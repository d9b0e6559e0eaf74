"""CSV files as users have them: plain, gzip, bzip2 or a zip holding one CSV; any of the
delimiters , ; tab |; UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
"Unicode text"), else Windows-1252 (Excel's "CSV" on Windows in Western Europe and the
Americas); a first column of row numbers without a name (a pandas index) is dropped.
Everything is read as text (every cell a string), so that dates and numbers are interpreted
in one place, the reader.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rnnforecast.errors import DataError

__all__ = ["CsvFile", "read_csv_file"]

_CSV_NAMES = (".csv", ".tsv", ".txt", ".dat", ".psv")


@dataclass
class CsvFile:
    """A CSV file read as strings, with the file line of every row and how it was read."""

    frame: pd.DataFrame
    lines: np.ndarray
    delimiter: str
    quoted: bool = True  # whether any cell may contain the delimiter (a '"' in the text)
    notes: list[str] = field(default_factory=list)  # what was decided, for the reader's notice


def read_csv_file(path: Path) -> CsvFile:
    """Read ``path`` (after unpacking it) into a frame of strings; a `DataError` otherwise."""
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a CSV file")
    raw, member = _unpack(path, path.read_bytes())
    if not raw.strip():
        raise DataError(f"{path}: the file is empty")
    notes = [] if member is None else [f"read '{member}' from the zip archive"]
    text = _decode(path, raw, notes)
    stated = _SEP_LINE.match(text)  # Excel's "sep=;" line names the delimiter
    delimiter = stated.group(1) if stated else _sniff_delimiter(text)
    text, skipped = _trim(text[stated.end():] if stated else text, delimiter, notes)
    skipped += 1 if stated else 0
    frame = _parse(path, text, delimiter)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = _drop_row_numbers(frame, notes)
    lines = np.arange(len(frame)) + 2 + skipped  # the header is line 1 + skipped
    blank = (frame.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
    frame, lines = frame.loc[~blank].reset_index(drop=True), lines[~blank]
    if len(frame.columns) < 2 and len(frame) > 0:
        raise DataError(
            f"{path}: found one column ('{frame.columns[0]}'); expected a date column and a "
            "value column separated by ',', ';', tab or '|'"
        )
    return CsvFile(frame, lines, delimiter, quoted='"' in text, notes=notes)


_SEP_LINE = re.compile(r"^sep=([,;\t|])[ \t]*\r?\n")
_EDGE_LINES = 60  # lines looked at for a preamble above the header or notes below the data


def _trim(text: str, delimiter: str, notes: list[str]) -> tuple[str, int]:
    """``text`` without the one-field lines above its header (a title, an export date, a
    category, as Google Trends and statistics offices write them) and below its data (a
    source, a footnote); also the number of lines dropped above. A file whose first lines
    all have one field is left as it is (the reader then names its one column)."""
    head = text[:200_000].splitlines(keepends=True)[:_EDGE_LINES]
    counts = [_fields(line, delimiter) for line in head]
    top = next((i for i, c in enumerate(counts) if c >= 2), None)
    if top is None:
        return text, 0
    start = sum(len(line) for line in head[:top])
    tail = text[max(start, len(text) - 200_000):].splitlines(keepends=True)[-_EDGE_LINES:][1:]
    bottom = 0
    while bottom < len(tail) and _fields(tail[-1 - bottom], delimiter) <= 1:
        bottom += 1
    below = [line.strip() for line in tail[len(tail) - bottom:] if line.strip()]
    above = [line.strip() for line in head[:top] if line.strip()]
    if above:
        notes.append(f"skipped {top} line(s) above the header ('{above[0][:40]}')")
    if below:
        notes.append(f"skipped {len(below)} line(s) below the data ('{below[0][:40]}')")
    end = len(text) - sum(len(line) for line in tail[len(tail) - bottom:])
    return (text if (start, end) == (0, len(text)) else text[start:end]), top


def _fields(line: str, delimiter: str) -> int:
    if not line.strip():
        return 0
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return 0


def _decode(path: Path, raw: bytes, notes: list[str]) -> str:
    """The file's text: UTF-16 by its byte-order mark, else UTF-8, else Windows-1252 (which
    every byte but five decodes; Latin-1 takes those), said in ``notes``."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{path}: not readable UTF-16 text; save the file as UTF-8"
                            ) from None
        notes.append("read as UTF-16 text")
        return text
    if b"\x00" in raw[:65536]:
        raise DataError(f"{path}: binary content, not a CSV text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
    try:
        text, name = raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, name = raw.decode("latin-1"), "Latin-1"
    notes.append(f"not UTF-8 (from line {line}): read as {name} text")
    return text


def _drop_row_numbers(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Without a first column of row numbers that has no name: pandas writes its index so
    (``df.to_csv()``), and it is neither a date nor a value to forecast."""
    if len(frame.columns) < 3 or len(frame) == 0:
        return frame
    first = str(frame.columns[0])
    if first and not first.startswith("Unnamed: 0"):
        return frame
    cells = frame.iloc[:, 0].str.strip()
    if not cells.str.fullmatch(r"\d{1,18}").all():
        return frame
    numbers = cells.astype(np.int64).to_numpy()
    if not any(np.array_equal(numbers, np.arange(len(frame)) + k) for k in (0, 1)):
        return frame
    notes.append("dropped the first column: row numbers without a name (a saved index)")
    return frame.iloc[:, 1:]


def _parse(path: Path, text: str, delimiter: str) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        hint = (
            "; every line needs the same number of fields (quote values that contain the "
            "delimiter, such as 1,234 in a comma-separated file)"
            if "Expected" in first else ""
        )
        raise DataError(f"{path}: not a readable CSV file ({first}){hint}") from None


def _sniff_delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: head.count(d) for d in ",;\t|"}
        return max(counts, key=lambda d: counts[d])


# --------------------------------------------------------------------- compressed files


def _unpack(path: Path, raw: bytes) -> tuple[bytes, str | None]:
    """The text inside a gzip, bzip2, xz or zip file (recognised by content, not by name),
    and the member's name for a zip; other bytes unchanged."""
    kinds = ((b"\x1f\x8b", "gzip", gzip.decompress), (b"BZh", "bzip2", bz2.decompress),
             (b"\xfd7zXZ\x00", "xz", lzma.decompress))
    for magic, name, decompress in kinds:
        if raw.startswith(magic):
            try:
                return decompress(raw), None
            except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
                raise DataError(f"{path}: not a readable {name} file ({exc}); "
                                "compress the CSV again or give it uncompressed") from None
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"PK\x05\x06"):
        return _unzip(path, raw)
    return raw, None


def _unzip(path: Path, raw: bytes) -> tuple[bytes, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(f"{path}: not a readable zip file ({exc}); zip the CSV again or "
                        "give it unzipped") from None
    if "[Content_Types].xml" in names:
        raise DataError(f"{path}: binary content, not a CSV text file (an Excel or "
                        "OpenDocument workbook); save the sheet as CSV (UTF-8)")
    names = [n for n in names if not n.startswith("__MACOSX/")
             and not Path(n).name.startswith(".")]
    csvs = [n for n in names if n.lower().endswith(_CSV_NAMES)] or names
    if len(csvs) != 1:
        what = "no file" if not csvs else f"{len(csvs)} files ({', '.join(csvs[:5])})"
        raise DataError(f"{path}: the zip archive holds {what}; give a zip with one CSV "
                        "file, or unzip it and give the CSV")
    try:
        return archive.read(csvs[0]), csvs[0]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # RuntimeError: an encrypted member
        raise DataError(f"{path}: cannot read '{csvs[0]}' in the zip archive ({exc}); "
                        "unzip it and give the CSV") from None
