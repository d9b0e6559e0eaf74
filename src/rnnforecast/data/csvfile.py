"""CSV files as users have them: plain, gzip, bzip2 or a zip holding one CSV; any of the
delimiters , ; tab |; UTF-8 with or without a byte-order mark. Everything is read as text
(every cell a string), so that dates and numbers are interpreted in one place, the reader.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import zipfile
from dataclasses import dataclass
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
    member: str | None = None  # the CSV inside a zip archive
    quoted: bool = True  # whether any cell may contain the delimiter (a '"' in the text)


def read_csv_file(path: Path) -> CsvFile:
    """Read ``path`` (after unpacking it) into a frame of strings; a `DataError` otherwise."""
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a CSV file")
    raw, member = _unpack(path, path.read_bytes())
    if not raw.strip():
        raise DataError(f"{path}: the file is empty")
    if b"\x00" in raw[:65536]:
        raise DataError(f"{path}: binary content, not a CSV text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{path}: not UTF-8 text (undecodable byte at line {line}); "
            "save the file as UTF-8"
        ) from None
    delimiter = _sniff_delimiter(text)
    frame = _parse(path, text, delimiter)
    frame.columns = [str(c).strip() for c in frame.columns]
    lines = np.arange(len(frame)) + 2  # header is line 1
    blank = (frame.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
    frame, lines = frame.loc[~blank].reset_index(drop=True), lines[~blank]
    if len(frame.columns) < 2 and len(frame) > 0:
        raise DataError(
            f"{path}: found one column ('{frame.columns[0]}'); expected a date column and a "
            "value column separated by ',', ';', tab or '|'"
        )
    return CsvFile(frame, lines, delimiter, member, quoted='"' in text)


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
