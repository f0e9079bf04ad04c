"""Input inspection: every unusable file gets a message naming the file and the problem."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from user_segmentation.input_file import InputFileError, inspect_input
from user_segmentation.input_format import HEADERS

GOOD_ROW = '1,25-34,Female,Urban,Hindi,PhD,100,20,Tablet,1.5,2.0,0.1,0.05,30,0-20k,"Gaming, Pet Care"'


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(*rows: str, header: str | None = None) -> str:
    return "\n".join([header or ",".join(HEADERS), *rows]) + "\n"


def test_good_file_is_described(tmp_path: Path) -> None:
    found = inspect_input(str(write(tmp_path / "ok.csv", csv_text(GOOD_ROW, GOOD_ROW.replace("1,", "2,", 1)))))
    assert (found.input_format, found.encoding, found.delimiter, found.rows_read) == ("csv", "utf-8", ",", 2)
    assert found.extra_columns == [] and found.malformed == []
    rows = duckdb.connect().execute(found.read_sql).fetchall()
    assert [r[0] for r in rows] == [1, 2] and rows[0][-1] == "Gaming, Pet Care"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("data.json", b"{}", "unknown file type '.json'"),
        ("latin.csv", csv_text(GOOD_ROW.replace("Gaming", "Caf\u00e9")).encode("latin-1"), "is not UTF-8"),
    ],
)
def test_unusable_files_are_named(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as err:
        inspect_input(str(path))
    assert str(path) in str(err.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not found"):
        inspect_input(str(tmp_path / "nope.csv"))
    with pytest.raises(InputFileError, match="is a directory"):
        inspect_input(str(tmp_path))


def test_every_missing_column_is_listed(tmp_path: Path) -> None:
    header = ",".join(h for h in HEADERS if h not in ("Age", "Income Level"))
    path = write(tmp_path / "cols.csv", csv_text("1", header=header))
    with pytest.raises(InputFileError) as err:
        inspect_input(str(path))
    assert "missing required columns 'Age', 'Income Level'" in str(err.value)


def test_renamed_and_extra_columns(tmp_path: Path) -> None:
    header = ",".join(["User_ID", *HEADERS[1:], "Campaign"])
    found = inspect_input(str(write(tmp_path / "r.csv", csv_text(GOOD_ROW + ",spring", header=header))))
    assert found.renamed_columns == {"User_ID": "User ID"}
    assert found.extra_columns == ["Campaign"]


def test_latin1_reads_when_declared(tmp_path: Path) -> None:
    path = write(tmp_path / "l.csv", csv_text(GOOD_ROW.replace("Gaming", "Caf\u00e9")), "latin-1")
    found = inspect_input(str(path), "latin-1")
    assert duckdb.connect().execute(found.read_sql).fetchall()[0][-1] == "Caf\u00e9, Pet Care"


def test_bom_crlf_and_semicolons(tmp_path: Path) -> None:
    text = "\ufeff" + csv_text(GOOD_ROW).replace("\n", "\r\n")
    found = inspect_input(str(write(tmp_path / "b.csv", text)))
    assert found.rows_read == 1 and not found.renamed_columns
    semi = csv_text(GOOD_ROW.replace(",", ";").replace("1.5", "1,5"), header=";".join(HEADERS))
    found = inspect_input(str(write(tmp_path / "s.csv", semi)))
    assert found.delimiter == ";" and found.decimal_comma
    row = duckdb.connect().execute(found.read_sql).fetchall()[0]
    assert row[10] == "1.5"


def test_malformed_records_are_listed_once(tmp_path: Path) -> None:
    text = csv_text(GOOD_ROW, "2,25-34,Fem", GOOD_ROW.replace("1,", "3,", 1) + ",extra")
    found = inspect_input(str(write(tmp_path / "m.csv", text)))
    assert [(m.source_row_number, m.error_type) for m in found.malformed] == [
        (2, "MISSING COLUMNS"),
        (3, "TOO MANY COLUMNS"),
    ]
    assert found.rows_read == 1


def test_path_with_quotes_is_a_literal(tmp_path: Path) -> None:
    folder = tmp_path / 'it\'s "quoted"; drop table x; --'
    folder.mkdir()
    found = inspect_input(str(write(folder / "o'k.csv", csv_text(GOOD_ROW))))
    assert duckdb.connect().execute(found.read_sql).fetchall()[0][0] == 1


def test_unclosed_quote_stops_naming_the_line(tmp_path: Path) -> None:
    rows = [GOOD_ROW.replace("1,", f"{n},", 1) for n in range(1, 6)]
    rows[2] = rows[2][:-1]  # record 3 loses its closing quote
    path = write(tmp_path / "q.csv", csv_text(*rows))
    with pytest.raises(InputFileError, match=r"line 4 \(record 3\) opens a quote") as err:
        inspect_input(str(path))
    assert str(path) in str(err.value) and len(str(err.value)) < 600


def test_counts_agree_with_the_read_dbt_runs(tmp_path: Path) -> None:
    """The inspection's count is the count of read_sql, also for records with invalid bytes."""
    good = [GOOD_ROW.replace("1,", f"{n},", 1).replace("Gaming", "Caf\u00e9") for n in range(1, 6)]
    data = csv_text(*good).encode().replace(b"\n3,", b"\n3,\xff", 1)
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    found = inspect_input(str(path))
    rows = duckdb.connect().execute(found.read_sql).fetchall()
    assert found.rows_read == len(rows) == 4
    assert [(m.source_row_number, m.error_type) for m in found.malformed] == [(3, "INVALID ENCODING")]


@pytest.mark.parametrize("declared", ["cp1252", "windows-1252", "CP1252"])
def test_cp1252_is_read_through_a_utf8_copy(tmp_path: Path, declared: str) -> None:
    text = csv_text(GOOD_ROW.replace("Gaming", "Gaming \u2013 \u201cx\u201d \u2022"))
    path = write(tmp_path / "w.csv", text, "cp1252")
    found = inspect_input(str(path), declared, work_dir=str(tmp_path / "work"))
    assert found.read_path.startswith(str(tmp_path / "work")) and found.encoding == "utf-8"
    assert duckdb.connect().execute(found.read_sql).fetchall()[0][-1] == "Gaming \u2013 \u201cx\u201d \u2022, Pet Care"
    assert [p.name for p in (tmp_path / "work").iterdir()] == [Path(found.read_path).name]


def test_encoding_advice_fits_the_bytes(tmp_path: Path) -> None:
    cp = write(tmp_path / "cp.csv", csv_text(GOOD_ROW.replace("Gaming", "Gaming \u2013 x")), "cp1252")
    with pytest.raises(InputFileError, match="input_encoding: cp1252") as err:
        inspect_input(str(cp))
    assert "latin-1" not in str(err.value)
    latin = write(tmp_path / "l.csv", csv_text(GOOD_ROW.replace("Gaming", "Caf\u00e9")), "latin-1")
    with pytest.raises(InputFileError, match="input_encoding: latin-1"):
        inspect_input(str(latin))


def test_out_of_memory_advises_segmentation_memory_limit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SEGMENTATION_MEMORY_LIMIT", "100KB")
    path = write(tmp_path / "m.csv", csv_text(*[GOOD_ROW] * 50))
    with pytest.raises(InputFileError, match="SEGMENTATION_MEMORY_LIMIT") as err:
        inspect_input(str(path))
    assert "SET memory_limit" not in str(err.value) and str(path) in str(err.value)


def test_activity_logs_are_inspected_with_their_own_columns(tmp_path) -> None:
    """An event log (vars.log_formats.interactions): its columns matched, an optional one it
    lacks read as null, every value as text; a missing required column named."""
    import duckdb

    from user_segmentation.input_format import LOG_FORMATS

    events = LOG_FORMATS["interactions"]
    path = write(
        tmp_path / "events.csv",
        "User_ID,Event Time,event_type,Category\n"
        "1,2026-11-30T10:00:00Z,view,books\n"
        "2,2026-11-30T11:00:00+02:00,Click,\n",
    )
    found = inspect_input(str(path), file_format=events)
    assert found.columns == {
        "user_id": "User_ID",
        "event_time": "Event Time",
        "event_type": "event_type",
        "category": "Category",
    }
    assert found.rows_read == 2 and found.extra_columns == []
    rows = duckdb.sql(found.read_sql + " order by data_row_number").fetchall()
    assert rows == [
        (1, "1", "2026-11-30T10:00:00Z", "view", None, "books"),
        (2, "2", "2026-11-30T11:00:00+02:00", "Click", None, None),
    ]
    with pytest.raises(InputFileError, match="missing required column 'event_time'"):
        inspect_input(str(write(tmp_path / "bad.csv", "user_id,event_type\n1,view\n")), file_format=events)
    with pytest.raises(
        InputFileError, match=r"'user_id', 'event_time', 'event_type' \(and optionally 'channel', 'category'\)"
    ):
        inspect_input(str(write(tmp_path / "empty.csv", "")), file_format=events)


def test_order_logs_read_decimal_commas_as_text(tmp_path) -> None:
    import duckdb

    from user_segmentation.input_format import LOG_FORMATS

    path = write(tmp_path / "orders.csv", "user_id;order_id;order_time;amount\n1;A1;2026-11-30T10:00:00Z;12,50\n")
    found = inspect_input(str(path), file_format=LOG_FORMATS["transactions"])
    assert found.decimal_comma
    assert duckdb.sql(found.read_sql).fetchall() == [(1, "1", "A1", "2026-11-30T10:00:00Z", "12.50", None, None)]
