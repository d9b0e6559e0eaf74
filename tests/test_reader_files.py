"""Files as users have them (issue 16): compressed and zipped CSVs, decimal commas and
thousands separators, a numeric store id, rows without values at the edges, fills that would
invent a series, extreme outliers and much shorter series. Each writes a real file and checks
the exact frame read, the notice, the warning or the error."""

from __future__ import annotations

import bz2
import gzip
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rnnforecast import ConfigError, DataError, read_series
from rnnforecast.cli import app
from rnnforecast.data.reading import DataWarning, ReadNotice

MONTHS = pd.date_range("2016-01-01", periods=30, freq="MS")
TEXT = "date,sales\n" + "".join(f"{d:%Y-%m-%d},{100 + i}\n" for i, d in enumerate(MONTHS))
EXPECTED = pd.DataFrame({"unique_id": "sales", "ds": MONTHS,
                         "y": [100.0 + i for i in range(30)]})


def read(path: Path, **kwargs: object) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The frame read, the notices and the warnings given."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_series(path, **kwargs)  # type: ignore[arg-type]
    notes = [str(w.message) for w in caught if issubclass(w.category, ReadNotice)]
    warned = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
    return frame, notes, warned


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


# ------------------------------------------------------------------------- containers


@pytest.mark.parametrize(("name", "pack"), [("data.csv.gz", gzip.compress),
                                            ("data.csv.bz2", bz2.compress)])
def test_compressed_csv(tmp_path: Path, name: str, pack: object) -> None:
    path = write(tmp_path, pack(TEXT.encode()), name)  # type: ignore[operator]
    frame, notes, _ = read(path)
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)
    assert notes == []


def test_zip_with_one_csv(tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export/sales.csv", TEXT)
        archive.writestr("__MACOSX/export/._sales.csv", "junk")
    frame, notes, _ = read(path)
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)
    assert notes == [f"{path}: read 30 monthly points, read 'export/sales.csv' from the zip "
                     "archive"]


def test_zip_with_several_csvs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", TEXT)
        archive.writestr("b.csv", TEXT)
    with pytest.raises(DataError) as error:
        read_series(path)
    assert str(error.value) == (f"{path}: the zip archive holds 2 files (a.csv, b.csv); give "
                                "a zip with one CSV file, or unzip it and give the CSV")


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, gzip.compress(TEXT.encode())[:40], "data.csv.gz")
    with pytest.raises(DataError, match=r"data\.csv\.gz: not a readable gzip file \(.*\); "
                                        r"compress the CSV again or give it uncompressed"):
        read_series(path)


# --------------------------------------------------------------------------- numbers


def test_windows_1252_file_is_read_with_a_notice(tmp_path: Path) -> None:
    text = "Datum;Ums\xe4tze (\u20ac)\n" + "".join(f"{d:%Y-%m-%d};{100 + i}\n"
                                                for i, d in enumerate(MONTHS))
    path = write(tmp_path, text.encode("cp1252"))
    frame, notes, _ = read(path)
    expected = EXPECTED.assign(unique_id="Ums\xe4tze (\u20ac)")
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
    assert notes == [f"{path}: read 30 monthly points, not UTF-8 (from line 1): read as "
                     "Windows-1252 text"]


def test_utf16_tab_separated_file(tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated."""
    path = write(tmp_path, TEXT.replace(",", "\t").encode("utf-16"))
    frame, notes, _ = read(path)
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)
    assert notes == [f"{path}: read 30 monthly points, read as UTF-16 text"]


def test_a_saved_pandas_index_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    EXPECTED[["ds", "y"]].to_csv(path)  # writes the index as a first column without a name
    frame, notes, _ = read(path)
    pd.testing.assert_frame_equal(frame, EXPECTED.assign(unique_id="y"), check_dtype=False)
    assert notes == [f"{path}: read 30 monthly points, dropped the first column: row numbers "
                     "without a name (a saved index)"]


def test_a_named_or_unordered_first_column_is_kept(tmp_path: Path) -> None:
    """Only row numbers 0..n-1 or 1..n without a name are an index: a named store column or
    unnamed numbers that are not row numbers stay, and are reported as usual."""
    text = ",date,sales\n" + "".join(f"{7 * i},{d:%Y-%m-%d},{100 + i}\n"
                                       for i, d in enumerate(MONTHS))
    with pytest.raises(DataError, match=r"several numeric columns \['Unnamed: 0', 'sales'\]"):
        read_series(write(tmp_path, text))


def test_yyyymm_numbers_in_a_period_column(tmp_path: Path) -> None:
    text = "period,sales\n" + "".join(f"{d:%Y%m},{100 + i}\n" for i, d in enumerate(MONTHS))
    path = write(tmp_path, text)
    frame, notes, _ = read(path)
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)
    assert notes == [f"{path}: read 30 monthly points, numbers read as YYYYMM months "
                     "(201601 = 1 January 2016)"]


def test_yyyymm_needs_months_1_to_12(tmp_path: Path) -> None:
    """Six-digit numbers whose last two digits are not all months are step numbers."""
    text = "period,sales\n" + "".join(f"{201601 + i},{100 + i}\n" for i in range(30))
    frame, _, _ = read(write(tmp_path, text))
    assert frame["ds"].tolist() == [201601 + i for i in range(30)]


NUMBER_CASES = {  # header and value cell of month i, the value read, the notice's part
    "decimal commas with semicolons": (
        "date;sales", lambda i: f"{500 + i},{i:02d}", lambda i: 500 + i + i / 100,
        "decimal commas (500,00 = 500.00)"),
    "quoted thousands separators": (
        "date,sales", lambda i: f'"{i + 1},{i:03d}.18"', lambda i: (i + 1) * 1000 + i + 0.18,
        "thousands separators removed (1,000.18 = 1000.18)"),
    "currency signs": (
        "date,price", lambda i: f'"${i + 1},{i:03d}.50"', lambda i: (i + 1) * 1000 + i + 0.5,
        "currency signs removed ($1,000.50 = 1,000.50); thousands separators removed "
        "(1,000.50 = 1000.50)"),
    "percent signs": (
        "date;rate", lambda i: f"{i},5 %", lambda i: i + 0.5,
        "percent signs removed (0,5 % = 0,5); decimal commas (0,5 = 0.5)"),
}


@pytest.mark.parametrize("case", NUMBER_CASES)
def test_numbers_as_spreadsheets_write_them(tmp_path: Path, case: str) -> None:
    header, cell, value, note = NUMBER_CASES[case]
    sep = header[4]
    text = header + "\n" + "".join(f"{d:%Y-%m-%d}{sep}{cell(i)}\n" for i, d in enumerate(MONTHS))
    path = write(tmp_path, text)
    frame, notes, _ = read(path)
    assert frame["y"].tolist() == [value(i) for i in range(30)]
    assert notes == [f"{path}: read 30 monthly points, {note}"]


def test_a_sign_on_some_cells_only_is_an_error(tmp_path: Path) -> None:
    text = "date,price\n" + "".join(f"{d:%Y-%m-%d},{'$' if i % 2 else ''}{100 + i}\n"
                                     for i, d in enumerate(MONTHS))
    with pytest.raises(DataError, match=r"non-numeric value '\$101' in column 'price' at line 3"):
        read_series(write(tmp_path, text))


def test_european_thousands_and_decimal_commas(tmp_path: Path) -> None:
    text = "date;sales\n" + "".join(f"{d:%d.%m.%Y};1.{i:03d},5\n" for i, d in enumerate(MONTHS))
    path = write(tmp_path, text)
    frame, notes, _ = read(path)
    assert frame["y"].tolist() == [1000.5 + i for i in range(30)]
    assert frame["ds"].tolist() == list(MONTHS)
    assert notes == [f"{path}: read 30 monthly points, decimal commas (1.000,5 = 1000.5); "
                     "dates read day-first (01.02.2016 = 1 February 2016)"]


def test_ambiguous_separators_need_the_decimal_option(tmp_path: Path) -> None:
    text = "date,sales\n" + "".join(f'{d:%Y-%m-%d},"1,{i:03d}"\n' for i, d in enumerate(MONTHS))
    path = write(tmp_path, text)
    with pytest.raises(DataError) as error:
        read_series(path)
    assert str(error.value) == (
        f"{path}: non-numeric value '1,000' in column 'sales' at line 2; remove thousands "
        "separators and units (write 1234.5, not 1,234.5, 1234,5 or 1234.5 kg), or state the "
        "decimal mark with decimal=',' (1234,5) or decimal='.' (1,234.5)")
    assert read(path, decimal=".")[0]["y"].tolist() == [1000.0 + i for i in range(30)]
    assert read(path, decimal=",")[0]["y"].tolist() == [1.0 + i / 1000 for i in range(30)]
    with pytest.raises(ConfigError, match=r"decimal=';' is invalid: use \. or ,"):
        read_series(path, decimal=";")


def test_numeric_store_id_suggests_the_id_option(tmp_path: Path) -> None:
    text = "Store,Date,Sales\n" + "".join(f"{s},{d:%Y-%m-%d},{i}\n" for s in (1, 2, 3)
                                          for i, d in enumerate(MONTHS))
    path = write(tmp_path, text)
    with pytest.raises(DataError) as error:
        read_series(path)
    assert str(error.value) == (
        f"{path}: several numeric columns ['Store', 'Sales'], and the dates repeat: 'Store' "
        "looks like a series id (one row per date and Store); name it with id_col='Store', "
        "and the column to forecast with value_col= if it is not the only other one")
    frame = read(path, id_col="Store")[0]
    assert frame["unique_id"].unique().tolist() == ["1", "2", "3"]
    assert len(frame) == 90


def test_an_id_column_does_not_pick_one_of_several_value_columns(tmp_path: Path) -> None:
    text = "Store,Date,Sales,Visits\n" + "".join(
        f"{s},{d:%Y-%m-%d},{i},{2 * i}\n" for s in (1, 2) for i, d in enumerate(MONTHS))
    path = write(tmp_path, text)
    with pytest.raises(DataError) as error:
        read_series(path, id_col="Store")
    assert str(error.value) == (
        f"{path}: several numeric columns ['Sales', 'Visits']: name the one to forecast with "
        "value_col= / --value-col")
    frame = read(path, id_col="Store", value_col="Visits")[0]
    assert frame["y"].iloc[1] == 2.0


# ------------------------------------------------------------------------ fill limits


def test_trailing_rows_without_values_are_dropped(tmp_path: Path) -> None:
    rows = TEXT.splitlines()
    future = [f"{d:%Y-%m-%d}," for d in pd.date_range("2018-07-01", periods=6, freq="MS")]
    path = write(tmp_path, "\n".join([*rows[:1], "2015-12-01,", *rows[1:], *future]) + "\n")
    for fill in (None, "interpolate"):
        frame, notes, _ = read(path, fill=fill)
        pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)
        assert notes == [f"{path}: read 30 monthly points, dropped 7 row(s) without a value at "
                         "the start and end of series 'sales' (2015-12-01..2018-12-01)"]


def test_the_filled_points_are_counted(tmp_path: Path) -> None:
    path = write(tmp_path, TEXT.replace("2016-03-01,102", "2016-03-01,")
                 .replace("2016-05-01,104\n", ""))
    frame, notes, _ = read(path, fill="interpolate")
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)
    assert notes == [f"{path}: read 30 monthly points, filled 2 missing point(s) in series "
                     "'sales' (fill='interpolate')"]


def test_a_fill_that_would_invent_the_series_is_refused(tmp_path: Path) -> None:
    monthly = pd.date_range("2016-01-01", periods=24, freq="MS")
    daily = pd.date_range("2018-01-02", periods=60, freq="D")
    text = "date,sales\n" + "".join(f"{d:%Y-%m-%d},{i}\n"
                                    for i, d in enumerate([*monthly, *daily]))
    path = write(tmp_path, text)
    head = f"{path}: series 'sales' misses 708 timestamp(s) at frequency 'D', first 2016-01-02"
    cause = ("the series probably mixes frequencies (monthly rows, then daily rows) or its "
             "dates are misread (state their format, e.g. date_format='%d/%m/%Y'): give each "
             "series one frequency")
    with pytest.raises(DataError) as error:
        read_series(path, fill="interpolate")
    assert str(error.value) == (f"{head}; fill='interpolate' would invent 708 of its 792 "
                                f"points (89%), more than the 10% a fill may invent; {cause}")
    with pytest.raises(DataError) as error:
        read_series(path)
    assert str(error.value) == (f"{head}: 708 of its 792 points (89%) are missing, too many to "
                                f"fill; {cause}")
    assert "--fill" not in str(error.value)


def test_misread_dates_are_blamed_not_the_missing_fill(tmp_path: Path) -> None:
    text = "date,sales\n" + "".join(f"{d:%d/%m/%Y},{i}\n" for i, d in enumerate(MONTHS))
    path = write(tmp_path, text)
    with pytest.raises(DataError) as error:
        read_series(path, date_format="%m/%d/%Y", fill="ffill")
    assert str(error.value).endswith(
        "fill='ffill' would invent 707 of its 737 points (96%), more than the 10% a fill may "
        "invent; check the dates against date_format='%m/%d/%Y', or whether the series mixes "
        "frequencies")


# --------------------------------------------------------------------------- warnings


def test_an_extreme_outlier_is_named_with_its_date(tmp_path: Path) -> None:
    y = [100 + 10 * np.sin(i / 2) + i for i in range(30)]
    y[17] = 117_000.0  # about 1,000 times too large
    text = "date,sales\n" + "".join(f"{d:%Y-%m-%d},{v:.6g}\n"
                                    for d, v in zip(MONTHS, y, strict=True))
    _, notes, warned = read(write(tmp_path, text))
    assert notes == []
    assert warned == [f"{tmp_path / 'data.csv'}: 1 extreme value(s), far outside the rest of "
                      "their series: 'sales' at 2017-06-01 (117000); check them for typos (a "
                      "misplaced decimal point, other units): one such value can move the whole "
                      "forecast"]


def test_trends_seasons_and_growth_are_not_outliers(tmp_path: Path) -> None:
    t = np.arange(120)
    series = {"trend": 5 + t, "season": 100 + 400 * (t % 12 == 11), "growth": 1.08 ** t,
              "noise": np.random.default_rng(0).standard_t(3, 120) + 50}
    text = "unique_id,ds,y\n" + "".join(
        f"{k},{d:%Y-%m-%d},{v:.6g}\n" for k, values in series.items()
        for d, v in zip(pd.date_range("2000-01-01", periods=120, freq="MS"), values,
                        strict=True))
    assert read(write(tmp_path, text))[2] == []


def test_a_much_shorter_series_is_named(tmp_path: Path) -> None:
    text = "unique_id,ds,y\n" + "".join(f"{k},{d:%Y-%m-%d},{i}\n" for k in "ABCD"
                                        for i, d in enumerate(MONTHS) if k != "D" or i >= 25)
    _, _, warned = read(write(tmp_path, text))
    assert warned == [f"{tmp_path / 'data.csv'}: 1 of 4 series are much shorter than the "
                      "typical 30 points: 'D' (5); check that their rows are all there (they "
                      "are forecast from little history)"]


# ---------------------------------------------------------------------- command line


def test_command_line_notes_errors_and_quiet(tmp_path: Path) -> None:
    runner = CliRunner()
    ambiguous = write(tmp_path, "date,sales\n" + "".join(
        f"{d:%d/%m/%Y},{i}\n" for i, d in enumerate(MONTHS[:12])), "ambiguous.csv")
    result = runner.invoke(app, ["evaluate", str(ambiguous), "--horizon", "2", "--models",
                                 "naive"])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "state their format with --date-format %d/%m/%Y (day-first) or --date-format %m/%d/%Y "
        "(month-first)")
    args = ["evaluate", str(ambiguous), "--horizon", "2", "--models", "naive",
            "--date-format", "DD/MM/YYYY", "--format", "csv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "note:" not in result.stderr  # the format was stated: nothing was decided
    day_first = write(tmp_path, "date,sales\n" + "".join(
        f"{d:%d/%m/%Y},{i}\n" for i, d in enumerate(MONTHS)), "dayfirst.csv")
    args = ["evaluate", str(day_first), "--horizon", "2", "--models", "naive", "--format", "csv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert (f"note: {day_first}: read 30 monthly points, dates read day-first (01/02/2016 = "
            "1 February 2016)") in result.stderr
    quiet = runner.invoke(app, ["--quiet", *args])
    assert quiet.exit_code == 0 and "note:" not in quiet.stderr
    result = runner.invoke(app, ["evaluate", str(day_first), "--horizon", "2", "--decimal", ";"])
    assert result.exit_code == 2 and "--decimal ';' is invalid: use . or ," in result.stderr


def test_title_lines_above_the_header_and_a_source_below(tmp_path: Path) -> None:
    text = "Monthly sales report\nExported 2024-05-01\n\n" + TEXT + "\nSource: our shop\n"
    path = write(tmp_path, text)
    frame, notes, _ = read(path)
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)
    assert notes == [f"{path}: read 30 monthly points, skipped 3 line(s) above the header "
                     "('Monthly sales report'); skipped 1 line(s) below the data "
                     "('Source: our shop')"]


def test_errors_name_the_file_line_after_skipped_lines(tmp_path: Path) -> None:
    text = "Category: All categories\n\n" + TEXT.replace("2016-03-01,102", "2016-03-01,<1")
    with pytest.raises(DataError, match=r"non-numeric value '<1' in column 'sales' at line 6"):
        read_series(write(tmp_path, text))


def test_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path, "sep=;\n" + TEXT.replace(",", ";"))
    frame, _, _ = read(path)
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)


@pytest.mark.parametrize("marker", [".", "#N/A", ":", ".."])
def test_statistics_offices_missing_markers(tmp_path: Path, marker: str) -> None:
    """FRED writes '.', Excel '#N/A', Eurostat ':' for a missing value."""
    text = TEXT.replace("2016-03-01,102", f"2016-03-01,{marker}")
    with pytest.raises(DataError, match=r"missing value in series 'sales' at 2016-03-01"):
        read_series(write(tmp_path, text))
    frame = read_series(write(tmp_path, text), fill="interpolate")
    assert frame["y"].tolist() == [100.0 + i for i in range(30)]


@pytest.mark.parametrize(("clock", "date"), [("%H:%M", "%Y-%m-%d"), ("%I:%M %p", "%d.%m.%Y"),
                                             ("%H:%M:%S", "%m/%d/%Y")])
def test_a_date_column_and_a_time_of_day_column_are_joined(tmp_path: Path, clock: str,
                                                            date: str) -> None:
    """Loggers write the date and the time of day in two columns; each date repeats 24 times,
    which read alone would be duplicated timestamps."""
    hours = pd.date_range("2024-03-01", periods=24 * 14, freq="h")
    text = "Datum;Uhrzeit;Wert\n" + "".join(f"{t.strftime(date)};{t.strftime(clock)};{i}\n"
                                           for i, t in enumerate(hours))
    path = write(tmp_path, text)
    frame, notes, _ = read(path)
    assert frame["ds"].tolist() == list(hours)
    assert frame["y"].tolist() == [float(i) for i in range(len(hours))]
    assert frame.attrs["freq"] == "h"
    assert "dates and times of day joined from 'Datum' and 'Uhrzeit'" in notes[0]


def test_a_bad_time_of_day_is_named_by_line(tmp_path: Path) -> None:
    hours = pd.date_range("2024-03-01", periods=24 * 14, freq="h")
    rows = [f"{t:%Y-%m-%d},{t:%I:%M %p},{i}" for i, t in enumerate(hours)]
    rows[300] = rows[300].replace("PM", "XM")
    with pytest.raises(DataError, match=r"at line 302"):
        read_series(write(tmp_path, "date,time,load\n" + "\n".join(rows) + "\n"))


@pytest.mark.parametrize(("name", "scale", "word"), [("timestamp", 1, "seconds"),
                                                     ("time_ms", 1000, "milliseconds")])
def test_unix_times(tmp_path: Path, name: str, scale: int, word: str) -> None:
    hours = pd.date_range("2024-01-01", periods=72, freq="h")
    text = f"{name},load\n" + "".join(f"{int(t.timestamp()) * scale},{i}\n"
                                      for i, t in enumerate(hours))
    path = write(tmp_path, text)
    frame, notes, _ = read(path)
    assert frame["ds"].tolist() == list(hours)
    assert frame.attrs["freq"] == "h"
    first = int(hours[0].timestamp()) * scale
    assert notes == [f"{path}: read 72 hourly points, Unix times ({word} since 1970) read as "
                     f"UTC dates ({first} = 1 January 2024)"]


def test_spaces_between_digit_groups(tmp_path: Path) -> None:
    """French exports: no-break spaces between thousands, decimal commas, ';' fields."""
    text = "Mois;Montant\n" + "".join(f"{d:%d/%m/%Y};{1 + i // 10}\u00a0{i:03d},50\n"
                                      for i, d in enumerate(MONTHS))
    path = write(tmp_path, text)
    frame, notes, _ = read(path)
    assert frame["y"].tolist() == [(1 + i // 10) * 1000 + i + 0.5 for i in range(30)]
    assert notes == [f"{path}: read 30 monthly points, spaces between digit groups removed "
                     "(1\u00a0000,50 = 1000,50); decimal commas (1000,50 = 1000.50); dates read "
                     "day-first (01/02/2016 = 1 February 2016)"]


def test_step_numbers_stay_steps(tmp_path: Path) -> None:
    """Small whole numbers in a column named like a time are a step index, not Unix times."""
    frame, notes, _ = read(write(tmp_path, "t,y\n" + "".join(f"{i},{i}\n" for i in range(30))))
    assert frame["ds"].tolist() == list(range(30))
    assert notes == []


def test_trading_days_are_business_days_with_holidays(tmp_path: Path) -> None:
    """A stock price file has weekdays only, less market holidays: business days with a few
    gaps to fill, not daily data missing 30% of its days."""
    days = pd.bdate_range("2023-01-02", "2023-06-30")
    holidays = pd.DatetimeIndex(["2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29"])
    days = days.difference(holidays)
    text = "Date,Close\n" + "".join(f"{d:%Y-%m-%d},{100 + i}\n" for i, d in enumerate(days))
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"misses 4 timestamp\(s\) at frequency 'B', first "
                                        r"2023-01-16; add the rows, or fill the gaps"):
        read_series(path)
    frame, notes, _ = read(path, fill="ffill")
    assert frame.attrs["freq"] == "B"
    assert len(frame) == len(days) + 4
    assert notes == [f"{path}: read {len(days) + 4} business-day points, filled 4 missing "
                     "point(s) in series 'Close' (fill='ffill')"]


@pytest.mark.parametrize("year", ["Year", ""])
def test_a_table_of_years_by_months(tmp_path: Path, year: str) -> None:
    """Statistics offices print monthly data a row per year (the classic AirPassengers
    table); a total column is left out, and the months not yet reported are dropped."""
    months = "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec"
    rows = [f"{2016 + r}," + ",".join(str(100 + 12 * r + m) for m in range(12))
            + f",{sum(100 + 12 * r + m for m in range(12))}" for r in range(2)]
    rows.append("2018," + ",".join(str(124 + m) for m in range(6)) + ",,,,,,,")
    path = write(tmp_path, f"{year},{months},Total\n" + "\n".join(rows) + "\n")
    frame, notes, _ = read(path)
    assert frame["ds"].tolist() == list(pd.date_range("2016-01-01", periods=30, freq="MS"))
    assert frame["y"].tolist() == [100.0 + i for i in range(30)]
    assert notes == [f"{path}: read 30 monthly points, a table of years by months read as one "
                     "monthly series ('Total' left out); dropped 6 row(s) without a value at the "
                     "end of series 'value' (2018-07-01..2018-12-01)"]


def test_a_missing_month_inside_the_table_names_its_line(tmp_path: Path) -> None:
    months = "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec"
    rows = [f"{2016 + r}," + ",".join("" if (r, m) == (1, 3) else str(m) for m in range(12))
            for r in range(3)]
    with pytest.raises(DataError, match=r"missing value in series 'value' at 2017-04-01"):
        read_series(write(tmp_path, f"Year,{months}\n" + "\n".join(rows) + "\n"))
