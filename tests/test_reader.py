"""read_series: every input kind gives the canonical frame; every bad input a DataError that
says where and what to do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnnforecast import DataError, read_series

KAGGLE = Path(__file__).parent / "data" / "airpassengers-kaggle.csv"
AIR_FIRST = [112.0, 118.0, 132.0, 129.0, 121.0, 135.0]


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def monthly_csv(values: list[str], header: str = "date,value") -> str:
    rows = [f"2020-{m:02d}-01,{v}" if m <= 12 else f"2021-{m - 12:02d}-01,{v}"
            for m, v in zip(range(1, len(values) + 1), values, strict=True)]
    return header + "\n" + "\n".join(rows) + "\n"


def assert_canonical(frame: pd.DataFrame, *, dated: bool = True) -> None:
    assert list(frame.columns) == ["unique_id", "ds", "y"]
    assert pd.api.types.is_string_dtype(frame["unique_id"].dtype)
    assert all(isinstance(v, str) for v in frame["unique_id"])
    if dated:
        assert frame["ds"].dtype.kind == "M"
    else:
        assert frame["ds"].dtype == np.int64
    assert frame["y"].dtype == np.float64
    assert np.isfinite(frame["y"].to_numpy()).all()
    ordered = frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), ordered)
    assert not frame.duplicated(["unique_id", "ds"]).any()


def assert_air(frame: pd.DataFrame) -> None:
    assert_canonical(frame)
    assert len(frame) == 144
    assert frame["y"].sum() == 40363
    assert frame["y"].iloc[:6].tolist() == AIR_FIRST
    assert frame["ds"].iloc[0] == pd.Timestamp("1949-01-01")
    assert frame["ds"].iloc[-1] == pd.Timestamp("1960-12-01")
    assert frame.attrs["freq"] == "MS"


# ------------------------------------------------------------------- input kinds


def test_kaggle_month_passengers_file() -> None:
    frame = read_series(KAGGLE)
    assert_air(frame)
    assert set(frame["unique_id"]) == {"#Passengers"}  # the value column names the series


def test_path_given_as_str() -> None:
    assert_air(read_series(str(KAGGLE)))


def test_semicolon_separated_with_crlf(tmp_path: Path) -> None:
    text = KAGGLE.read_text().replace(",", ";").replace("\n", "\r\n")
    path = write(tmp_path, text)
    assert b"\r\n" in path.read_bytes() and b";" in path.read_bytes()
    assert_air(read_series(path))


def test_quoted_date_value_header(tmp_path: Path) -> None:
    lines = KAGGLE.read_text().splitlines()[1:]
    body = "\n".join(f'"{line.split(",")[0]}-01",{line.split(",")[1]}' for line in lines)
    frame = read_series(write(tmp_path, '"date","value"\n' + body + "\n"))
    assert_air(frame)
    assert set(frame["unique_id"]) == {"value"}


def test_tab_separated_file(tmp_path: Path) -> None:
    text = KAGGLE.read_text().replace(",", "\t")
    assert_air(read_series(write(tmp_path, text)))


def test_long_format_with_dates(tmp_path: Path) -> None:
    text = ("unique_id,ds,y\nA,2020-01-01,1\nA,2020-02-01,2\nA,2020-03-01,3\n"
            "B,2020-01-01,10\nB,2020-02-01,20\nB,2020-03-01,30\n")
    frame = read_series(write(tmp_path, text))
    assert_canonical(frame)
    assert frame["unique_id"].tolist() == ["A"] * 3 + ["B"] * 3
    assert frame["y"].tolist() == [1, 2, 3, 10, 20, 30]
    assert frame["ds"].iloc[3] == pd.Timestamp("2020-01-01")


def test_long_format_with_integer_step_index(tmp_path: Path) -> None:
    text = "unique_id,ds,y\nH1,1,5.5\nH1,2,6\nH1,3,7\nH2,1,1\nH2,2,2\nH2,3,3\nH2,4,4\n"
    frame = read_series(write(tmp_path, text))
    assert_canonical(frame, dated=False)
    assert frame["ds"].tolist() == [1, 2, 3, 1, 2, 3, 4]
    assert frame["y"].iloc[0] == 5.5
    assert frame.attrs["freq"] == "int:1"
    # ids that look like numbers stay strings
    numeric_ids = "unique_id,ds,y\n7,1,1\n7,2,2\n7,3,3\n"
    frame = read_series(write(tmp_path, numeric_ids, "ids.csv"))
    assert frame["unique_id"].tolist() == ["7", "7", "7"]


def test_column_overrides(tmp_path: Path) -> None:
    text = "when,a,b,sid\n2020-01-01,1,10,x\n2020-02-01,2,20,x\n2020-03-01,3,30,x\n"
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=r"several numeric columns.*value_col"):
        read_series(path)
    frame = read_series(path, time_col="when", value_col="b", id_col="sid")
    assert frame["y"].tolist() == [10, 20, 30]
    assert frame["unique_id"].tolist() == ["x"] * 3
    frame = read_series(path, value_col="a")
    assert frame["y"].tolist() == [1, 2, 3]
    assert set(frame["unique_id"]) == {"a"}


def test_override_naming_a_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, monthly_csv(["1", "2", "3"]))
    with pytest.raises(DataError, match=r"time_col='zz' is not a column"):
        read_series(path, time_col="zz")


def test_dataframe_series_and_array_inputs() -> None:
    idx = pd.date_range("2020-01-01", periods=5, freq="D")
    values = [3.0, 1.0, 4.0, 1.0, 5.0]
    long = pd.DataFrame({"unique_id": "s", "ds": idx, "y": values})
    from_long = read_series(long)
    assert_canonical(from_long)
    assert from_long["y"].tolist() == values

    wide = pd.DataFrame({"Date": idx, "sales": [3, 1, 4, 1, 5]})
    from_wide = read_series(wide)
    assert_canonical(from_wide)
    assert from_wide["unique_id"].iloc[0] == "sales"
    assert from_wide["y"].tolist() == values

    series = pd.Series(values, index=idx, name="s")
    pd.testing.assert_frame_equal(read_series(series), from_long)

    arr = read_series(np.array(values))
    assert_canonical(arr, dated=False)
    assert arr["ds"].tolist() == [0, 1, 2, 3, 4]
    assert arr["unique_id"].iloc[0] == "series"
    assert arr["y"].tolist() == values
    assert read_series(values)["y"].tolist() == values  # a plain list too
    column = read_series(np.array(values).reshape(-1, 1))
    assert column["y"].tolist() == values


def test_series_with_integer_and_period_index() -> None:
    frame = read_series(pd.Series([1.0, 2.0, 3.0], index=[10, 11, 12], name="x"))
    assert frame["ds"].tolist() == [10, 11, 12]
    assert frame["ds"].dtype == np.int64
    period = pd.Series([1.0, 2.0, 3.0], index=pd.period_range("2000-01", periods=3, freq="M"))
    frame = read_series(period)
    assert frame["ds"].tolist() == list(pd.date_range("2000-01-01", periods=3, freq="MS"))
    assert frame.attrs["freq"] == "MS"


def test_series_with_date_strings_as_index_keeps_the_dates() -> None:
    series = pd.Series([1.0, 2.0, 3.0], index=["2020-01-01", "2020-02-01", "2020-03-01"])
    frame = read_series(series)
    assert frame["ds"].tolist() == list(pd.date_range("2020-01-01", periods=3, freq="MS"))
    with pytest.raises(DataError, match=r"cannot read 'a'.*as a date"):
        read_series(pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"]))


def test_time_zone_aware_timestamps() -> None:
    idx = pd.date_range("2020-01-01", periods=5, freq="h", tz="Europe/Paris")
    frame = read_series(pd.DataFrame({"unique_id": "a", "ds": idx, "y": np.arange(5.0)}))
    assert frame["ds"].tolist() == list(idx)
    assert frame.attrs["freq"] == "h"
    assert read_series(pd.Series(np.arange(5.0), index=idx))["ds"].tolist() == list(idx)


def test_unsorted_input_is_sorted(tmp_path: Path) -> None:
    text = "unique_id,ds,y\nB,2,4\nA,2,2\nB,1,3\nA,1,1\nA,3,5\nB,3,6\n"
    frame = read_series(write(tmp_path, text))
    assert frame["unique_id"].tolist() == ["A", "A", "A", "B", "B", "B"]
    assert frame["ds"].tolist() == [1, 2, 3, 1, 2, 3]
    assert frame["y"].tolist() == [1, 2, 5, 3, 4, 6]
    dated = pd.Series([3.0, 1.0, 2.0], index=pd.to_datetime(["2020-03-01", "2020-01-01",
                                                             "2020-02-01"]))
    assert read_series(dated)["y"].tolist() == [1.0, 2.0, 3.0]


def test_blank_lines_and_bom_are_ignored(tmp_path: Path) -> None:
    text = "\ufeffdate,value\n2020-01-01,1\n\n2020-02-01,2\n2020-03-01,3\n\n"
    frame = read_series(write(tmp_path, text))
    assert frame["y"].tolist() == [1, 2, 3]


# ---------------------------------------------------------------------- frequency


@pytest.mark.parametrize(
    ("freq", "expected"),
    [("MS", "MS"), ("QS", "QS-JAN"), ("D", "D"), ("h", "h"), ("W-SUN", "W-SUN"),
     ("YS", "YS-JAN")],
)
def test_frequency_inferred_per_series(freq: str, expected: str) -> None:
    idx = pd.date_range("2020-01-01", periods=10, freq=freq)
    frame = read_series(pd.Series(np.arange(10.0), index=idx, name="s"))
    assert frame.attrs["freq"] == expected


def test_hourly_timestamps_from_csv(tmp_path: Path) -> None:
    rows = "\n".join(f"2020-01-01 {h:02d}:00:00,{h}" for h in range(10))
    frame = read_series(write(tmp_path, "timestamp,load\n" + rows + "\n"))
    assert frame.attrs["freq"] == "h"
    assert frame["ds"].iloc[1] == pd.Timestamp("2020-01-01 01:00")


# ----------------------------------------------------------------------- bad files


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="empty"):
        read_series(write(tmp_path, ""))
    with pytest.raises(DataError, match="empty"):
        read_series(write(tmp_path, "  \n\n", "blank.csv"))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="only a header"):
        read_series(write(tmp_path, "Month,#Passengers\n"))


def test_binary_content(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="binary"):
        read_series(write(tmp_path, bytes(range(256)) * 4))


def test_non_utf8_content_is_read_as_windows_1252(tmp_path: Path) -> None:
    raw = "date,value\n2020-01-01,1\n2020-02-01,2\ncaf\xe9,3\n".encode("latin-1")
    with pytest.raises(DataError, match="cannot read 'caf\xe9' in column 'date' at line 4"):
        read_series(write(tmp_path, raw))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_series(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="directory"):
        read_series(tmp_path)


def test_single_column_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"one column.*separated"):
        read_series(write(tmp_path, "value\n1\n2\n3\n"))


def test_ragged_rows(tmp_path: Path) -> None:
    text = "date,value\n2020-01-01,1\n2020-02-01,1,234\n2020-03-01,3\n"
    with pytest.raises(DataError, match=r"not a readable CSV.*line 3"):
        read_series(write(tmp_path, text))


def test_no_numeric_column(tmp_path: Path) -> None:
    text = "date,name\n2020-01-01,a\n2020-02-01,b\n2020-03-01,c\n"
    with pytest.raises(DataError, match=r"no numeric value column.*value_col"):
        read_series(write(tmp_path, text))


@pytest.mark.parametrize("n_rows", [5, 12])
def test_non_numeric_value_names_the_first_bad_line(tmp_path: Path, n_rows: int) -> None:
    values = [str(v) for v in range(1, n_rows + 1)]
    values[3] = "abc"  # data row 4 = line 5 (the header is line 1)
    if n_rows > 6:
        values[6] = "xyz"  # a later bad value: the first one is reported
    with pytest.raises(DataError, match=r"non-numeric value 'abc'.*'value'.*line 5\b"):
        read_series(write(tmp_path, monthly_csv(values)))


def test_number_with_unit_suggests_removing_it(tmp_path: Path) -> None:
    values = [str(v) for v in range(1, 13)]
    values[5] = "12kg"
    with pytest.raises(DataError, match=r"'12kg'.*line 7.*remove thousands separators and units"):
        read_series(write(tmp_path, monthly_csv(values)))


@pytest.mark.parametrize("n_rows", [4, 12])
def test_unparseable_date_names_the_line(tmp_path: Path, n_rows: int) -> None:
    text = monthly_csv([str(v) for v in range(1, n_rows + 1)])
    lines = text.splitlines()
    lines[3] = "notadate,3"
    with pytest.raises(DataError, match=r"cannot read 'notadate'.*'date'.*line 4"):
        read_series(write(tmp_path, "\n".join(lines) + "\n"))


def test_no_date_column(tmp_path: Path) -> None:
    text = "date,value\nfoo,1\nbar,2\nbaz,3\n"
    with pytest.raises(DataError, match=r"no date column.*time_col"):
        read_series(write(tmp_path, text))


def test_impossible_date_in_iso_file(tmp_path: Path) -> None:
    values = [str(v) for v in range(1, 13)]
    lines = monthly_csv(values).splitlines()
    lines[5] = "2020-13-45,5"
    with pytest.raises(DataError, match=r"'2020-13-45'.*line 6"):
        read_series(write(tmp_path, "\n".join(lines) + "\n"))


@pytest.mark.parametrize("bad", ["inf", "-inf", "Infinity"])
def test_infinite_values(tmp_path: Path, bad: str) -> None:
    with pytest.raises(DataError, match=r"infinite value in series 'value' at 2020-02-01"):
        read_series(write(tmp_path, monthly_csv(["1", bad, "3", "4"])))
    frame = pd.DataFrame({"unique_id": "a", "ds": [1, 2, 3], "y": [1.0, np.inf, 3.0]})
    with pytest.raises(DataError, match=r"infinite value in series 'a' at 2"):
        read_series(frame)


def test_missing_values_name_the_first(tmp_path: Path) -> None:
    path = write(tmp_path, monthly_csv(["1", "", "3", "NaN", "5"]))
    with pytest.raises(DataError, match=r"missing value in series 'value' at 2020-02-01 "
                                        r"\(2 in all\).*fill="):
        read_series(path)
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2000-01-01", periods=4),
                          "y": [1.0, 2.0, np.nan, 4.0]})
    with pytest.raises(DataError, match=r"missing value in series 'a' at 2000-01-03"):
        read_series(frame)


def test_nan_cells_are_filled_when_asked(tmp_path: Path) -> None:
    path = write(tmp_path, monthly_csv(["1", "", "3", "NaN", "7"]))
    assert read_series(path, fill="interpolate")["y"].tolist() == [1, 2, 3, 5, 7]
    assert read_series(path, fill="ffill")["y"].tolist() == [1, 1, 3, 3, 7]
    assert read_series(path, fill="zero")["y"].tolist() == [1, 0, 3, 0, 7]


GAP = "date,value\n2020-01-01,1\n2020-02-01,2\n2020-05-01,8\n2020-06-01,10\n2020-07-01,12\n"


def test_missing_timestamps_name_the_first(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"misses 2 timestamp\(s\).*'MS'.*first 2020-03-01.*fill"):
        read_series(write(tmp_path, GAP))


@pytest.mark.parametrize(
    ("fill", "expected"),
    [("interpolate", [1, 2, 4, 6, 8, 10, 12]),
     ("ffill", [1, 2, 2, 2, 8, 10, 12]),
     ("zero", [1, 2, 0, 0, 8, 10, 12])],
)
def test_missing_timestamps_filled(tmp_path: Path, fill: str, expected: list[float]) -> None:
    frame = read_series(write(tmp_path, GAP), fill=fill)  # type: ignore[arg-type]
    assert frame["ds"].tolist() == list(pd.date_range("2020-01-01", periods=7, freq="MS"))
    assert frame["y"].tolist() == pytest.approx(expected)
    assert set(frame["unique_id"]) == {"value"}


def test_missing_integer_steps(tmp_path: Path) -> None:
    frame = pd.DataFrame({"unique_id": "a", "ds": [1, 2, 4, 5, 6], "y": [1.0, 2, 4, 5, 6]})
    with pytest.raises(DataError, match=r"series 'a' misses 1 timestamp.*first 3"):
        read_series(frame)
    filled = read_series(frame, fill="interpolate")
    assert filled["ds"].tolist() == [1, 2, 3, 4, 5, 6]
    assert filled["y"].tolist() == [1, 2, 3, 4, 5, 6]


def test_unknown_fill_method() -> None:
    with pytest.raises(DataError, match=r"unknown fill method 'linear'.*interpolate"):
        read_series(np.arange(5.0), fill="linear")  # type: ignore[arg-type]


def test_duplicated_timestamps(tmp_path: Path) -> None:
    text = "date,value\n2020-01-01,1\n2020-02-01,2\n2020-02-01,4\n2020-03-01,5\n"
    with pytest.raises(DataError, match=r"duplicated timestamp 2020-02-01 in series 'value'"):
        read_series(write(tmp_path, text))


def test_irregular_dates(tmp_path: Path) -> None:
    text = ("date,value\n2020-01-01,1\n2020-01-04,2\n2020-01-09,4\n2020-01-10,5\n"
            "2020-02-27,5\n")
    with pytest.raises(DataError, match=r"cannot infer a regular frequency.*series 'value'"):
        read_series(write(tmp_path, text))


def test_series_with_one_point() -> None:
    with pytest.raises(DataError, match=r"series 'series' has 1 point"):
        read_series(np.array([1.0]))


def test_unsupported_input_types() -> None:
    with pytest.raises(DataError, match=r"type dict"):
        read_series({"a": 1})  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"1-D.*shape \(3, 2\)"):
        read_series(np.zeros((3, 2)))


def test_integer_index_too_large(tmp_path: Path) -> None:
    text = "unique_id,ds,y\na,99999999999999999999,1\na,99999999999999999998,2\n"
    with pytest.raises(DataError):
        read_series(write(tmp_path, text))


def test_mixed_time_zones_are_a_data_error(tmp_path: Path) -> None:
    text = ("date,value\n2020-01-01 00:00:00+01:00,1\n2020-01-01 01:00:00+02:00,2\n"
            "2020-01-01 03:00:00+00:00,3\n")
    with pytest.raises(DataError):
        read_series(write(tmp_path, text))


def test_data_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        read_series(np.array([1.0]))


# ---------------------------------------------------------------- property-based

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FREQS = ["MS", "D", "h", "QS-JAN", "W-SUN"]


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=2, max_size=60
    ),
    scale=st.sampled_from([1e-12, 1.0, 1e6, 1e300]),
    freq=st.sampled_from(FREQS),
    shuffle_seed=st.integers(0, 2**16),
)
def test_property_dataframe_round_trip_is_exact(
    values: list[float], scale: float, freq: str, shuffle_seed: int
) -> None:
    with np.errstate(over="ignore"):
        y = np.asarray(values) * scale
    y = np.where(np.isfinite(y), y, 0.0)
    ds = pd.date_range("2001-01-01", periods=len(y), freq=freq)
    frame = pd.DataFrame({"unique_id": "s", "ds": ds, "y": y})
    shuffled = frame.sample(frac=1.0, random_state=shuffle_seed)
    out = read_series(shuffled)
    assert_canonical(out)
    assert np.array_equal(out["y"].to_numpy(), y)  # bit-exact, in time order
    assert out["ds"].tolist() == list(ds)
    assert out.attrs["freq"] == freq


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.sampled_from(["date", "value", "ds", "y", "unique_id", ",", ";", "\t", "\n",
                             "\r\n", "2020-01-01", "2020-02-01", "2020-13-01", "1", "-2.5",
                             "1e400", "nan", "inf", "", "abc", '"', "1,5", "+01:00", "T12:00",
                             "99999999999999999999", "\xe9", "\x00"]),
            max_size=40,
        ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    )
)
def test_property_arbitrary_bytes_raise_only_data_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(raw)
    try:
        frame = read_series(path)
    except DataError as exc:
        assert str(exc)  # a message, never an empty one
    else:
        assert_canonical(frame, dated=frame["ds"].dtype.kind == "M")


def test_read_options_read_as_read_series_with_them(tmp_path: Path) -> None:
    import warnings

    from rnnforecast.data.reader import ReadOptions
    from rnnforecast.data.reading import ReadNotice

    path = write(tmp_path, "when,v,other\n" + "".join(
        f"2020-{m:02d}-01,{m if m != 4 else ''},{m * 2}\n" for m in range(1, 13)))
    options = ReadOptions(time_col="when", value_col="v", fill="interpolate")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = options.read(path)
    with pytest.warns(ReadNotice):
        expected = read_series(path, time_col="when", value_col="v", fill="interpolate")
    pd.testing.assert_frame_equal(frame, expected)
    # the reader's notice points at the code that reads, as with read_series itself
    (notice,) = [w for w in caught if issubclass(w.category, ReadNotice)]
    assert notice.filename == __file__
    with pytest.raises(DataError, match="missing value"):
        options.read(path, fill=None)  # an argument given to read overrides the option
