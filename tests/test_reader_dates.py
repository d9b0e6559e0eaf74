"""Dates as users write them (issue 16): each kind written to a real file and read back as
the exact frame meant, with the one-line notice of what was decided, or refused with the
exact error."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from rnnforecast import ConfigError, DataError, read_series
from rnnforecast.data.reading import ReadNotice, command_line

MONTHS = pd.date_range("2016-01-01", periods=30, freq="MS")
DAYS = pd.date_range("2016-01-01", periods=40, freq="D")


def write(tmp_path: Path, header: str, dates: list[str], name: str = "data.csv") -> Path:
    path = tmp_path / name
    rows = "".join(f"{d},{100 + i}\n" for i, d in enumerate(dates))
    path.write_text(f"{header}\n{rows}", encoding="utf-8")
    return path


def read(path: Path, **kwargs: object) -> tuple[pd.DataFrame, list[str]]:
    """The frame read and the notices given."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_series(path, **kwargs)  # type: ignore[arg-type]
    return frame, [str(w.message) for w in caught if issubclass(w.category, ReadNotice)]


def expected(ds: pd.DatetimeIndex | list[pd.Timestamp], uid: str = "sales") -> pd.DataFrame:
    return pd.DataFrame({"unique_id": uid, "ds": pd.DatetimeIndex(ds),
                         "y": [100.0 + i for i in range(len(ds))]})


def assert_frame(frame: pd.DataFrame, want: pd.DataFrame, freq: str) -> None:
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), want, check_dtype=False)
    assert frame.attrs["freq"] == freq


def test_day_first_monthly_dates_are_read_day_first(tmp_path: Path) -> None:
    path = write(tmp_path, "date,sales", [f"{d:%d/%m/%Y}" for d in MONTHS])
    frame, notes = read(path)
    assert_frame(frame, expected(MONTHS), "MS")
    assert notes == [f"{path}: read 30 monthly points, dates read day-first "
                     "(01/02/2016 = 1 February 2016)"]


def test_day_first_daily_dates_are_not_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "date,sales", [f"{d:%d.%m.%Y}" for d in DAYS])
    frame, notes = read(path)
    assert_frame(frame, expected(DAYS), "D")
    assert notes == [f"{path}: read 40 daily points, dates read day-first "
                     "(02.01.2016 = 2 January 2016)"]


def test_month_first_dates_stay_month_first(tmp_path: Path) -> None:
    path = write(tmp_path, "date,sales", [f"{d:%m/%d/%Y}" for d in DAYS])
    frame, notes = read(path)
    assert_frame(frame, expected(DAYS), "D")
    assert notes == [f"{path}: read 40 daily points, dates read month-first "
                     "(01/02/2016 = 2 January 2016)"]


def test_truly_ambiguous_dates_name_the_option(tmp_path: Path) -> None:
    path = write(tmp_path, "date,sales", [f"{d:%d/%m/%Y}" for d in MONTHS[:12]])
    message = (f"{path}: the dates in column 'date' read as well day-first (01/02/2016 = "
               "1 February 2016) as month-first (01/02/2016 = 2 January 2016); state their "
               "format with date_format='%d/%m/%Y' (day-first) or date_format='%m/%d/%Y' "
               "(month-first)")
    with pytest.raises(DataError) as error:
        read_series(path)
    assert str(error.value) == message
    with command_line(), pytest.raises(DataError) as error:
        read_series(path)
    assert str(error.value).endswith("state their format with --date-format %d/%m/%Y "
                                     "(day-first) or --date-format %m/%d/%Y (month-first)")
    for given in ("%d/%m/%Y", "DD/MM/YYYY", "dayfirst"):
        frame, _ = read(path, date_format=given)
        assert_frame(frame, expected(MONTHS[:12]), "MS")
    frame, _ = read(path, date_format="monthfirst")
    assert_frame(frame, expected(pd.date_range("2016-01-01", periods=12, freq="D")), "D")


def test_a_stated_format_reports_the_first_cell_it_cannot_read(tmp_path: Path) -> None:
    path = write(tmp_path, "date,sales", [f"{d:%d/%m/%Y}" for d in DAYS])
    with pytest.raises(DataError) as error:
        read_series(path, date_format="%m/%d/%Y")
    assert str(error.value) == (f"{path}: cannot read '13/01/2016' in column 'date' at line "
                                "14 as a date with date_format='%m/%d/%Y'; fix the cell or the "
                                "format")
    with pytest.raises(ConfigError, match=r"date_format='DD/QQ' is invalid"):
        read_series(path, date_format="DD/QQ")


@pytest.mark.parametrize("fmt", ["%b-%Y", "%B %Y", "%b %Y", "%Y-%b", "%b-%y"])
def test_month_names(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, "Month,sales", [d.strftime(fmt) for d in MONTHS])
    frame, notes = read(path)
    assert_frame(frame, expected(MONTHS), "MS")
    assert notes == []  # nothing was decided: a month name reads one way


@pytest.mark.parametrize(("form", "first"), [("{y}Q{q}", "2016Q1"), ("{y}-Q{q}", "2016-Q1"),
                                             ("Q{q} {y}", "Q1 2016")])
def test_quarters(tmp_path: Path, form: str, first: str) -> None:
    quarters = pd.date_range("2016-01-01", periods=12, freq="QS")
    path = write(tmp_path, "quarter,sales",
                 [form.format(y=d.year, q=(d.month - 1) // 3 + 1) for d in quarters])
    frame, notes = read(path)
    assert_frame(frame, expected(quarters), "QS-JAN")
    assert notes == [f"{path}: read 12 quarterly points, quarters read as their first day "
                     f"({first} = 1 January 2016)"]


def test_plain_years(tmp_path: Path) -> None:
    path = write(tmp_path, "Year,sales", [str(1990 + i) for i in range(25)])
    frame, notes = read(path)
    assert_frame(frame, expected(pd.date_range("1990-01-01", periods=25, freq="YS")), "YS-JAN")
    assert notes == [f"{path}: read 25 yearly points, years read as dates "
                     "(1990 = 1 January 1990)"]


def test_excel_serial_days_in_a_date_column(tmp_path: Path) -> None:
    path = write(tmp_path, "Date,sales", [str(42370 + i) for i in range(40)])
    frame, notes = read(path)
    assert_frame(frame, expected(DAYS), "D")
    assert notes == [f"{path}: read 40 daily points, Excel day numbers read as dates "
                     "(42370 = 1 January 2016)"]
    # the same numbers in a column not named like a date are a step index
    steps = write(tmp_path, "t,sales", [str(42370 + i) for i in range(40)], "steps.csv")
    assert read(steps)[0]["ds"].tolist() == list(range(42370, 42410))


def test_compact_yyyymmdd_numbers_in_a_date_column(tmp_path: Path) -> None:
    path = write(tmp_path, "date,sales", [f"{d:%Y%m%d}" for d in DAYS])
    frame, notes = read(path)
    assert_frame(frame, expected(DAYS), "D")
    assert notes == [f"{path}: read 40 daily points, numbers read as YYYYMMDD dates "
                     "(20160101 = 1 January 2016)"]


def test_changing_utc_offsets_are_converted_to_utc(tmp_path: Path) -> None:
    local = pd.date_range("2016-03-26 22:00", periods=8, freq="h", tz="Europe/Paris")
    path = write(tmp_path, "timestamp,sales", [t.isoformat() for t in local])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no pandas warning leaks
        with pytest.raises(ReadNotice) as notice:
            read_series(path)
    assert str(notice.value) == (f"{path}: read 8 hourly points, times with changing UTC "
                                 "offsets converted to UTC")
    frame, _ = read(path)
    assert_frame(frame, expected(local.tz_convert("UTC")), "h")


def test_no_pandas_dayfirst_warning_leaks(tmp_path: Path) -> None:
    path = write(tmp_path, "date,sales", [f"{d:%d/%m/%Y}" for d in DAYS])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_series(path)
    assert [w.category for w in caught] == [ReadNotice]


def test_iso_files_read_as_before_without_notice(tmp_path: Path) -> None:
    path = write(tmp_path, "date,sales", [f"{d:%Y-%m-%d}" for d in MONTHS])
    frame, notes = read(path)
    assert_frame(frame, expected(MONTHS), "MS")
    assert notes == []
